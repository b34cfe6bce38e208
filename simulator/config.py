"""One Settings object: flags > environment (VOICESIM_*) > config file > defaults."""
from __future__ import annotations

import os
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any, Callable, Mapping, get_type_hints

from .inputs import (
    MAX_YAML_CHARS,
    InputError,
    YamlPath,
    app_key,
    bounded_text,
    conforms,
    describe,
    field_name,
    finite,
    global_number,
    push_url,
    read_yaml,
    token,
)
from .media import Media, default_media

DEMO_APP_KEY = "voicesimDemoAppKey0000000001"
DEMO_APP_SECRET = "voicesimDemoSecret0000000001"
DEMO_DISPLAY_NUMBER = "+8675528000002"
MAX_PORTS = 65535
MIN_SPEED, MAX_SPEED = 1e-6, 1e7  # simulated seconds per real second: the flag's and the control API's range
_DAY, _YEAR = 86400.0, 366 * 86400.0


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

    def check(self, at: YamlPath = ()) -> None:
        """Raise SettingError for the first field that could not be kept, signed or pushed (paths under ``at``)."""
        _checked(at + ("key",), self.key, app_key)
        _checked(at + ("secret",), self.secret, bounded_text(256))
        for i, number in enumerate(self.display_numbers):
            _checked(at + ("display_numbers", i), number, global_number)
        for name in ("status_url", "fee_url"):
            if getattr(self, name) is not None:
                _checked(at + (name,), getattr(self, name), push_url)
        if self.quota is not None:
            _checked(at + ("quota",), self.quota, _between(0, MAX_PORTS))
        _checked(at + ("sp_id",), self.sp_id, bounded_text(64))


@dataclass(slots=True)
class Settings:
    """Everything the simulator can be told. Field docs double as ``--help`` text."""

    host: str = "127.0.0.1"
    port: int = 8090
    speed: float = 1.0
    manual_clock: bool = False
    clock_max_step: float = 60.0  # simulated seconds a scaled clock moves at most when the event loop stalls
    keepalive_timeout: float = 75.0  # real seconds an idle connection (or one sending its headers) stays open
    body_timeout: float = 30.0  # real seconds a request's body may take to arrive after its headers
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
    allowed_origins: tuple[str, ...] = ()  # browser origins besides the dashboard's own that may change state
    allowed_hosts: tuple[str, ...] = ()  # Host names /_sim/ answers besides IP addresses, localhost, the bind host
    journal_keep: int = 100_000  # entries of each kind the journal keeps in memory
    tls_cert: str | None = None  # serve HTTPS with this certificate (PEM, with its chain) ...
    tls_key: str | None = None  # ... and this key
    tls_self_signed: bool = False  # serve HTTPS with a certificate from a local CA made for the purpose
    tls_names: tuple[str, ...] = ()  # more names the self-signed certificate is valid for (a compose service)
    push_ca_file: str | None = None  # CA certificates (PEM) trusted for https:// pushes, besides the system's

    def apps(self) -> list[AppConfig]:
        """The demo (or configured) app first, then any from the config file."""
        main = AppConfig(self.app_key, self.app_secret, tuple(self.display_numbers), self.status_url,
                         self.fee_url, self.app_quota)
        return [main] + [a for a in self.extra_apps if a.key != main.key]

    def check(self) -> None:
        """Raise ValueError naming the first setting that is wrong alone (``check_values``) or together."""
        self.check_values()
        if bool(self.tls_cert) != bool(self.tls_key):
            raise ValueError("tls_cert and tls_key go together: give both, or tls_self_signed")
        if self.tls_self_signed and self.tls_cert:
            raise ValueError("tls_self_signed makes its own certificate: give it or tls_cert/tls_key, not both")
        if self.tls_names and not self.tls_self_signed:
            raise ValueError("tls_names only applies with tls_self_signed")

    def check_values(self) -> None:
        """Raise SettingError (a ValueError) naming the first setting of the wrong type, out of range, or
        holding text that could not be kept or sent."""
        for name, hint in _HINTS.items():
            value = getattr(self, name)
            if not conforms(value, hint):
                raise SettingError((name,), f"must be {describe(hint)}, got {value!r}"[:200])
        for name, (lo, hi) in _RANGES.items():
            value = getattr(self, name)
            if value is not None:
                _checked((name,), value, _between(lo, hi))
        for i, lang in enumerate(self.language_types):
            _checked(("language_types", i), lang, _between(0, 2**31 - 1))
        for name, rule in _TEXT_RULES.items():
            value = getattr(self, name)
            if isinstance(value, tuple):
                for i, item in enumerate(value):
                    _checked((name, i), item, rule)
            elif value is not None:
                _checked((name,), value, rule)
        for i, app in enumerate(self.extra_apps):
            app.check(("apps", i))


class SettingError(ValueError):
    """A setting refused at start: ``path`` names it (``("apps", 0, "key")``), ``message`` says why."""

    def __init__(self, path: YamlPath, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{field_name(path)} {message}")


def _checked(path: YamlPath, value: Any, rule: Callable[[Any], Any]) -> None:
    try:
        rule(value)
    except InputError as exc:
        raise SettingError(path, f"{exc}, got {value!r}"[:200]) from None


def _between(lo: float, hi: float) -> Callable[[Any], float]:
    return lambda value: finite(value, lo, hi)


def _digits(text: str) -> str:
    if len(text) > 32 or not text.isascii() or not (text.isdigit() or text == ""):
        raise InputError("must be at most 32 digits 0-9 ('' for nobody pressing)")
    return text


def _origin(text: str) -> str:
    if text != "*":
        push_url(text)
        if text.rstrip("/").count("/") > 2:
            raise InputError("must be an origin: scheme://host[:port], no path")
    return text


def _host_name(text: str) -> str:
    token(text)
    if "/" in text or "@" in text:
        raise InputError("must be a host name (or *), without scheme, port or path")
    return text


# The range of every number a flag, variable or config file can set (NaN and infinities are never in one).
_RANGES: dict[str, tuple[float, float]] = {
    "port": (1, 65535), "speed": (MIN_SPEED, MAX_SPEED), "call_ports": (0, MAX_PORTS), "app_quota": (0, MAX_PORTS),
    "auth_window": (0, 7 * _DAY), "push_timeout": (0.001, 3600), "bill_retry_interval": (0, _YEAR),
    "bill_max_retries": (0, 1000), "bill_merge_delay": (0, 3600), "keep_deliveries": (0, 10**8),
    "max_body": (1024, 64 * 1024 * 1024), "alert_after": (0, _DAY), "answer_after": (0, _DAY),
    "digit_seconds": (0, 60), "code_gap": (0, 60), "loop_plays": (1, 100), "collect_after": (0, _DAY),
    "collect_window": (0, _DAY), "collect_replays": (0, 100), "digits_seed": (-(2**63), 2**63 - 1),
    "callback_talk": (0, _DAY), "record_keep": (0, 10 * _YEAR), "seed": (-(2**63), 2**63 - 1),
    "journal_keep": (1, 10**8), "clock_max_step": (0.001, _DAY), "keepalive_timeout": (0.001, _DAY),
    "body_timeout": (0.001, _DAY), "push_queue": (1, 10**7), "push_senders": (1, 4096),
}
# Text that ends up in headers, bills, file names or the journal: what each may hold
# (tls_names: tls.cert_names checks what a certificate name may be).
_PATH = bounded_text(4096)
_TEXT_RULES: dict[str, Callable[[str], Any]] = {
    "host": _host_name, "app_key": app_key, "app_secret": bounded_text(256), "display_numbers": global_number,
    "status_url": push_url, "fee_url": push_url, "host_name": token, "collect_digits": _digits,
    "record_domain": token, "record_bucket": token, "scenarios": _PATH, "data_dir": _PATH, "control_token": token,
    "allowed_origins": _origin, "allowed_hosts": _host_name, "tls_cert": _PATH, "tls_key": _PATH,
    "push_ca_file": _PATH,
}


_HINTS = get_type_hints(Settings)
_APP_HINTS = get_type_hints(AppConfig)
_MEDIA_HINTS = get_type_hints(Media)


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
    "callback_talk": float, "collect_digits": str, "record_domain": str, "clock_max_step": float,
    "keepalive_timeout": float, "body_timeout": float, "allowed_origins": _numbers, "allowed_hosts": _numbers,
    "push_queue": int, "push_senders": int, "tls_cert": str, "tls_key": str, "tls_self_signed": _bool,
    "tls_names": _numbers, "push_ca_file": str,
}
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
    """Settings from a YAML file: top-level setting names, plus ``apps:`` and ``media:`` lists.

    Read as untrusted (``inputs.read_yaml``: size, nesting and aliases bounded); every value is
    checked for type and range here, so a bad file is refused at start as ``file:line: field: message``.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(MAX_YAML_CHARS + 1)  # one more than allowed: the reader says it is too long
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the config file: {exc}") from None
    doc, lines, problems = read_yaml(path, text)
    if problems:
        raise ValueError("\n".join(problems))
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ValueError(f"{path}:{lines.of(())}: the config file must be a mapping of setting names")
    out: dict[str, Any] = {}
    try:
        for key, value in doc.items():
            if key == "apps":
                out["extra_apps"] = [_typed(AppConfig, _APP_HINTS, item, ("apps", i))
                                     for i, item in enumerate(_items(value, ("apps",)))]
            elif key == "media":
                out["media"] = default_media() + [_typed(Media, _MEDIA_HINTS, item, ("media", i))
                                                  for i, item in enumerate(_items(value, ("media",)))]
            elif key in _HINTS and key not in ("extra_apps", "media"):
                out[key] = tuple(value) if isinstance(value, list) else value
            else:
                raise SettingError((key,), f"unknown setting {key!r}")
        replace(Settings(), **out).check_values()  # each value alone, so the file's own line is named
    except SettingError as exc:
        raise ValueError(lines.problem(exc.path, exc.message)) from None
    return out


def _items(value: Any, path: YamlPath) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SettingError(path, "must be a list")
    return value


def _typed(kind: Any, hints: dict[str, Any], doc: Any, path: YamlPath) -> Any:
    """A ``kind`` (AppConfig, Media) from a mapping whose keys are its fields, each of its declared type."""
    if not isinstance(doc, dict):
        raise SettingError(path, "must be a mapping")
    values: dict[str, Any] = {}
    for key, value in doc.items():
        if key not in hints:
            raise SettingError(path + (key,), f"unknown field {key!r}; known: {', '.join(hints)}")
        value = tuple(value) if isinstance(value, list) else value
        if not conforms(value, hints[key]):
            raise SettingError(path + (key,), f"must be {describe(hints[key])}, got {value!r}"[:200])
        values[key] = value
    for f in fields(kind):
        if f.name not in values and f.default is MISSING and f.default_factory is MISSING:
            raise SettingError(path + (f.name,), "is required")
    try:
        return kind(**values)
    except ValueError as exc:  # Media's own rules
        raise SettingError(path, str(exc)) from None


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
