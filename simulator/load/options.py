"""What a load run is told, and the bounds it refuses to go past.

A load run pushes to an SP's endpoints as hard as the flags say, so the flags are checked
before anything is sent: rates, durations and totals within what one simulator process can
honestly produce, and push URLs on this machine (loopback) unless ``--allow-remote`` says the
endpoint is the user's own.
"""
from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..config import DEMO_APP_KEY, DEMO_APP_SECRET

MAX_RATE = 500.0  # calls per second: one process on one core cannot honestly push more (4-5 pushes a call)
MAX_DURATION = 3600.0  # seconds of arrivals
MAX_CALLS = 100_000  # rate x duration
MAX_SPEED = 86_400.0
MAX_DRAIN = 3600.0
MAX_PUSH_TIMEOUT = 300.0


@dataclass(slots=True)
class LoadOptions:
    """A load run: calls arrive at ``rate`` a real second for ``duration`` real seconds.

    ``speed`` plays each call's life and the bills' re-push schedule faster (simulated seconds
    per real second); ``drain``: real seconds to wait, after the last call is placed, for calls
    to end and their bills to be accepted or given up.
    """

    rate: float = 10.0
    duration: float = 60.0
    status_url: str | None = None
    fee_url: str | None = None
    scenarios: tuple[str, ...] = ()
    speed: float = 1.0
    seed: int | None = None
    html: str | None = None
    allow_remote: bool = False
    push_timeout: float = 10.0
    push_ca_file: str | None = None
    drain: float = 60.0
    app_key: str = DEMO_APP_KEY
    app_secret: str = DEMO_APP_SECRET
    refresh: float = 0.5  # real seconds between refreshes of the terminal view

    @property
    def planned(self) -> int:
        """Calls the run places: one every 1/rate seconds while fewer than ``duration`` seconds have passed."""
        return math.ceil(self.rate * self.duration - 1e-9)

    def check(self) -> None:
        """Raise ValueError with a message naming the flag and its bound."""
        _within("--rate", self.rate, 0.0, MAX_RATE, "calls per second")
        _within("--duration", self.duration, 0.0, MAX_DURATION, "seconds")
        _within("--speed", self.speed, 0.0, MAX_SPEED, "simulated seconds per real second")
        _within("--push-timeout", self.push_timeout, 0.0, MAX_PUSH_TIMEOUT, "seconds")
        if not (math.isfinite(self.drain) and 0 <= self.drain <= MAX_DRAIN):
            raise ValueError(f"--drain must be 0-{MAX_DRAIN:g} seconds, got {self.drain:g}")
        if self.planned > MAX_CALLS:
            raise ValueError(f"--rate {self.rate:g} for --duration {self.duration:g} is {self.planned} calls; "
                             f"a load run places at most {MAX_CALLS}")
        if self.status_url is None and self.fee_url is None:
            raise ValueError("give the SP's endpoints: --status-url, --fee-url or both")
        for flag, url in (("--status-url", self.status_url), ("--fee-url", self.fee_url)):
            if url is not None:
                check_url(flag, url, self.allow_remote)


def _within(flag: str, value: float, low: float, high: float, unit: str) -> None:
    # NaN fails both comparisons, so it is refused too
    if not (math.isfinite(value) and low < value <= high):
        raise ValueError(f"{flag} must be more than {low:g} and at most {high:g} {unit}, got {value:g}")


def check_url(flag: str, url: str, allow_remote: bool) -> None:
    """An http(s) URL with a host; on this machine (loopback) unless ``allow_remote``."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError as exc:
        raise ValueError(f"{flag} {url!r} is not a URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{flag} {url!r} must be an http:// or https:// URL with a host")
    if not allow_remote and not is_loopback(parts.hostname):
        raise ValueError(f"{flag} {url}: {parts.hostname} is not this machine. A load run pushes only to loopback "
                         "addresses (127.0.0.0/8, ::1, localhost); if the endpoint is your own, say so with "
                         "--allow-remote")


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and addresses in 127.0.0.0/8 or ``::1``; no name is looked up."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
