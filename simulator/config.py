"""One Settings object: flags > environment (VOICESIM_*) > config file > defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import Any, Callable, Mapping

import yaml

from .media import Media, default_media

DEMO_APP_KEY = "voicesimDemoAppKey0000000001"
DEMO_APP_SECRET = "voicesimDemoSecret0000000001"
DEMO_DISPLAY_NUMBER = "+8675528000002"
MAX_PORTS = 65535


@dataclass(slots=True)
class AppConfig:
    """An SP application: its credentials, numbers, default push URLs and limits."""

    key: str
    secret: str
    display_numbers: tuple[str, ...] = (DEMO_DISPLAY_NUMBER,)
    status_url: str | None = None  # used when a request carries no statusUrl
    fee_url: str | None = None  # used when a request carries no feeUrl
    quota: int | None = None  # concurrent calls; None = unlimited
    sp_id: str = "voicesim_sp"
    can_record: bool = True


@dataclass(slots=True)
class Settings:
    """Everything the simulator can be told. Field docs double as ``--help`` text."""

    host: str = "127.0.0.1"
    port: int = 8090
    speed: float = 1.0
    manual_clock: bool = False
    call_ports: int = MAX_PORTS
    app_key: str = DEMO_APP_KEY
    app_secret: str = DEMO_APP_SECRET
    app_quota: int | None = None
    display_numbers: tuple[str, ...] = (DEMO_DISPLAY_NUMBER,)
    status_url: str | None = None
    fee_url: str | None = None
    extra_apps: list[AppConfig] = field(default_factory=list)
    media: list[Media] = field(default_factory=default_media)
    auth_window: float = 300.0
    reject_replay: bool = True
    accept_beijing_time: bool = True
    push_newlines: bool = True
    push_timeout: float = 10.0
    bill_retry_interval: float = 3600.0
    bill_max_retries: int = 6
    bill_merge_delay: float = 1.0
    keep_deliveries: int = 100_000
    push_queue: int = 10_000  # pushes waiting per SP origin; past it, status events to that origin are not sent
    push_senders: int = 64  # pushes on the wire at once per SP origin (one connection each)
    max_body: int = 64 * 1024
    language_types: tuple[int, ...] = (2,)
    host_name: str = "callenabler245.huaweicaas.com"
    # Default call script (seconds): callout -> alerting -> answer -> playback -> hang-up.
    alert_after: float = 1.0
    answer_after: float = 3.0
    digit_seconds: float = 0.6
    code_gap: float = 1.0
    loop_plays: int = 2  # times=0 plays until the callee hangs up: after this many plays
    # Notification digit collection: digits arrive this long after playback; none within the window ends the call.
    collect_after: float = 2.0
    collect_window: float = 5.0
    collect_digits: str | None = None  # the same digits for every collection ("" = nothing pressed); None = faker
    collect_replays: int = 2  # replays of an item triggered by collectContentTriggerReplaying, at most
    digits_seed: int = 0
    # Voice callback: seconds A and B talk after B answers, in the default script.
    callback_talk: float = 30.0
    record_domain: str = "record.voicesim.local"
    record_bucket: str = "sp-voice-record"
    record_keep: float = 7 * 86400.0  # simulated seconds a recording can be fetched after its call ended
    scenarios: tuple[str, ...] = ()  # scenario files or shipped names, first match first
    seed: int | None = None  # overrides every scenario's own seed
    data_dir: str | None = None  # keep the journal (and what is owed) in SQLite there
    control_token: str | None = None  # /_sim/* then demands "Authorization: Bearer <token>"
    journal_keep: int = 100_000  # entries of each kind the journal keeps in memory

    def apps(self) -> list[AppConfig]:
        """The demo (or configured) app first, then any from the config file."""
        main = AppConfig(self.app_key, self.app_secret, tuple(self.display_numbers), self.status_url,
                         self.fee_url, self.app_quota)
        return [main] + [a for a in self.extra_apps if a.key != main.key]

    def check(self) -> None:
        """Raise ValueError naming the first setting out of range."""
        if not 0 <= self.call_ports <= MAX_PORTS:
            raise ValueError(f"call_ports must be 0-{MAX_PORTS}, got {self.call_ports}")
        if not 0 < self.port < 65536:
            raise ValueError(f"port must be 1-65535, got {self.port}")
        if self.speed <= 0:
            raise ValueError("speed must be positive")
        if self.app_quota is not None and self.app_quota < 0:
            raise ValueError("app_quota must not be negative")
        for name in ("auth_window", "push_timeout", "bill_retry_interval", "bill_merge_delay"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.bill_max_retries < 0:
            raise ValueError("bill_max_retries must not be negative")
        for name in ("push_queue", "push_senders"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")


def _bool(text: str) -> bool:
    low = text.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"not a boolean: {text!r}")


def _optional_int(text: str) -> int | None:
    return None if text.strip().lower() in ("", "none", "unlimited") else int(text)


def _numbers(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split(",") if n.strip())


# Settings that flags and VOICESIM_* variables may set, with how to read them from text.
ENV_PARSERS: dict[str, Callable[[str], Any]] = {
    "host": str, "port": int, "speed": float, "call_ports": int, "app_key": str,
    "app_secret": str, "app_quota": _optional_int, "display_numbers": _numbers,
    "status_url": str, "fee_url": str, "auth_window": float, "reject_replay": _bool,
    "push_newlines": _bool, "push_timeout": float, "bill_retry_interval": float,
    "bill_max_retries": int, "bill_merge_delay": float, "keep_deliveries": int,
    "data_dir": str, "control_token": str, "manual_clock": _bool, "journal_keep": int,
}
ENV_PARSERS.update({"callback_talk": float, "collect_digits": str, "record_domain": str, "push_queue": int,
                    "push_senders": int})
# Settings only the command line and the environment give (``--scenario`` repeats).
ENV_PARSERS_EXTRA: dict[str, Callable[[str], Any]] = {"scenarios": _numbers, "seed": int}


def from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """Settings given as VOICESIM_<NAME> variables."""
    out: dict[str, Any] = {}
    for name, parse in {**ENV_PARSERS, **ENV_PARSERS_EXTRA}.items():
        value = env.get("VOICESIM_" + name.upper())
        if value is not None:
            try:
                out[name] = parse(value)
            except ValueError as exc:
                raise ValueError(f"VOICESIM_{name.upper()}: {exc}") from None
    return out


def from_file(path: str) -> dict[str, Any]:
    """Settings from a YAML file: top-level setting names, plus ``apps:`` and ``media:`` lists."""
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: the config file must be a mapping")
    known = {f.name for f in fields(Settings)} - {"extra_apps", "media"}
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key == "apps":
            out["extra_apps"] = [_app(path, i, a) for i, a in enumerate(value or [])]
        elif key == "media":
            out["media"] = default_media() + [_media(path, i, m) for i, m in enumerate(value or [])]
        elif key in known:
            out[key] = tuple(value) if key in ("display_numbers", "language_types", "scenarios") else value
        else:
            raise ValueError(f"{path}: unknown setting {key!r}")
    return out


def _app(path: str, i: int, doc: Any) -> AppConfig:
    try:
        doc = dict(doc)
        if "display_numbers" in doc:
            doc["display_numbers"] = tuple(doc["display_numbers"])
        return AppConfig(**doc)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: apps[{i}]: {exc}") from None


def _media(path: str, i: int, doc: Any) -> Media:
    try:
        return Media(**dict(doc))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: media[{i}]: {exc}") from None


def build(flags: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None,
          config_file: str | None = None) -> Settings:
    """Merge the sources, highest first: flags, environment, config file, defaults."""
    env = os.environ if env is None else env
    merged: dict[str, Any] = {}
    path = config_file or env.get("VOICESIM_CONFIG")
    if path:
        merged.update(from_file(path))
    merged.update(from_env(env))
    merged.update({k: v for k, v in (flags or {}).items() if v is not None})
    settings = replace(Settings(), **merged)
    settings.check()
    return settings
