"""The platform's AKSK scheme: checking SP requests and signing our own pushes.

An SP request carries two headers (spec section 2)::

    Authorization: AKSK realm="SDP",profile="UsernameToken",type="Appkey"
    X-AKSK: UsernameToken Username="<key>",PasswordDigest="<digest>",Nonce="<nonce>",Created="<created>"

with ``digest = Base64(HMAC-SHA256(secret, nonce + created))``. Pushes to the SP
are signed the same way, but their digest also covers the push URL.
"""
from __future__ import annotations

import binascii
import calendar
import datetime
import hashlib
import heapq
import hmac
import os
import re
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from ..errors import PlatformError

AUTHORIZATION = 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"'
# An attribute list is items separated by commas outside quotes. The item pattern has one way to read
# any text (its alternatives start with different characters and nothing after them can fail), and
# each match starts where the last one ended: linear time on any header, however long or hostile.
_ITEM = re.compile(r'((?:"[^"]*"?|[^",]+)*)(?:,|\Z)')
_ATTR = re.compile(r'\s*([A-Za-z]+)\s*=\s*"([^"]*)"\s*')
MAX_ATTRS = 16  # items read from one header; the platform's headers have 3 and 4
_NONCE = re.compile(r"[A-Za-z0-9]{1,128}")
_CANONICAL = re.compile(r'UsernameToken Username="([^"]*)",\s?PasswordDigest="([^"]*)",\s?'
                        r'Nonce="([^"]*)",\s?Created="([^"]*)"')
_CREATED = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")  # ASCII digits only
BEIJING_OFFSET = 8 * 3600


def digest(secret: str, nonce: str, created: str) -> str:
    """The request digest: Base64(HMAC-SHA256(key=secret, msg=nonce + created))."""
    return _hmac_b64(secret, (nonce + created).encode())


def push_digest(secret: str, url: str, nonce: str, created: str, newlines: bool = True) -> str:
    """The digest of a push: covers the SP's URL too, joined by newlines unless told otherwise."""
    sep = "\n" if newlines else ""
    return _hmac_b64(secret, (url + sep + nonce + sep + created).encode())


@lru_cache(maxsize=1024)
def _pads(secret: str) -> tuple[Any, Any]:
    """SHA-256 states after the HMAC inner and outer pads of ``secret`` (RFC 2104)."""
    key = secret.encode()
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))


def _hmac_b64(secret: str, msg: bytes) -> str:
    # HMAC from precomputed pad states: a third of hmac.digest's cost, and this runs per request.
    inner_pad, outer_pad = _pads(secret)
    inner = inner_pad.copy()
    inner.update(msg)
    outer = outer_pad.copy()
    outer.update(inner.digest())
    return binascii.b2a_base64(outer.digest(), newline=False).decode()


def created_now(t: float | None = None) -> str:
    """A ``Created`` stamp, ``YYYY-MM-DDTHH:MM:SSZ`` in UTC."""
    return _created(int(time.time() if t is None else t))


@lru_cache(maxsize=64)  # every push of one second carries the same stamp
def _created(second: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))


def request_headers(key: str, secret: str, nonce: str | None = None, created: str | None = None) -> dict[str, str]:
    """The two headers an SP sends, signed as the official Python sample signs them."""
    nonce = nonce or uuid.uuid4().hex
    created = created or created_now()
    return {
        "Authorization": AUTHORIZATION,
        "X-AKSK": (
            f'UsernameToken Username="{key}",PasswordDigest="{digest(secret, nonce, created)}",'
            f'Nonce="{nonce}",Created="{created}"'
        ),
    }


def push_headers(key: str, secret: str, url: str, newlines: bool = True, t: float | None = None) -> dict[str, str]:
    """The two headers on a status or bill push to ``url``."""
    nonce = os.urandom(16).hex()  # what uuid4().hex is made of, less the UUID object: this runs per push
    created = created_now(t)
    return {
        "Authorization": AUTHORIZATION,
        "X-AKSK": (
            f'UsernameToken Username="{key}",'
            f'PasswordDigest="{push_digest(secret, url, nonce, created, newlines)}",'
            f'Nonce="{nonce}",Created="{created}"'
        ),
    }


def parse_attrs(text: str) -> dict[str, str]:
    """``a="1",b="2"`` (or ``", "`` between) into a dict; items of another shape, and any past the
    first ``MAX_ATTRS``, are skipped."""
    out: dict[str, str] = {}
    for n, item in enumerate(_ITEM.finditer(text)):
        if n == MAX_ATTRS:
            break
        m = _ATTR.fullmatch(item.group(1))
        if m:
            out[m.group(1)] = m.group(2)
    return out


@lru_cache(maxsize=4096)  # every request of one second carries the same stamp
def parse_created(created: str) -> float | None:
    """Epoch seconds of a ``Created`` stamp read as UTC, or None if it is not in the format."""
    if not _CREATED.fullmatch(created):  # two digits a field: stricter than strptime alone
        return None
    try:  # strptime refuses day 57 or hour 25, which timegm would quietly roll over
        parsed = datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None
    return float(calendar.timegm(parsed.timetuple()))


def check_authorization(value: str | None) -> None:
    """Raise the platform's error for a missing or wrong ``Authorization`` header."""
    if value is None:
        raise PlatformError(1023006)
    if value == AUTHORIZATION:
        return
    scheme, _, rest = value.strip().partition(" ")
    attrs = parse_attrs(rest) if scheme == "AKSK" else {}
    if "realm" not in attrs:
        raise PlatformError(1023007)
    if "profile" not in attrs:
        raise PlatformError(1023008)
    if attrs["realm"] != "SDP":
        raise PlatformError(1023009)
    if attrs["profile"] != "UsernameToken":
        raise PlatformError(1023010)
    if "type" not in attrs:
        raise PlatformError(1023012)
    if attrs["type"] != "Appkey":
        raise PlatformError(1023011)


@dataclass(slots=True)
class Token:
    """The parts of an ``X-AKSK`` header."""

    username: str
    digest: str
    nonce: str
    created: str


def parse_x_aksk(value: str | None) -> Token:
    """Read ``X-AKSK`` or raise the platform's error for what is missing."""
    if value is None:
        raise PlatformError(1023033)
    m = _CANONICAL.fullmatch(value)
    if m and all(m.groups()):  # the usual order, as the official samples send it
        return Token(*m.groups())
    scheme, _, rest = value.strip().partition(" ")
    attrs = parse_attrs(rest) if scheme == "UsernameToken" else {}
    if not attrs.get("Username"):
        raise PlatformError(1023034)
    if not attrs.get("Nonce"):
        raise PlatformError(1023035)
    if not attrs.get("Created"):
        raise PlatformError(1023036)
    if not attrs.get("PasswordDigest"):
        raise PlatformError(1023037)
    return Token(attrs["Username"], attrs["PasswordDigest"], attrs["Nonce"], attrs["Created"])


class Verifier:
    """Checks SP requests against the apps it knows; remembers nonces to refuse replays."""

    def __init__(self, secrets: dict[str, str], window: float = 300.0, reject_replay: bool = True,
                 accept_beijing_time: bool = True) -> None:
        self.secrets = secrets
        self.window = window
        self.reject_replay = reject_replay
        self.accept_beijing_time = accept_beijing_time
        self._seen: set[tuple[str, str]] = set()
        self._expiry: list[tuple[float, tuple[str, str]]] = []  # heap of (forget at, nonce)
        # Told of each nonce remembered, with when it may be forgotten (the journal keeps them across restarts).
        self.remembered: Callable[[str, str, float], None] | None = None

    def verify(self, authorization: str | None, x_aksk: str | None, now: float | None = None) -> str:
        """Return the app key of a correctly signed request, or raise its PlatformError."""
        check_authorization(authorization)
        token = parse_x_aksk(x_aksk)
        if not _NONCE.fullmatch(token.nonce):
            raise PlatformError(1023035, detail="Nonce must be 1-128 letters and digits")
        secret = self.secrets.get(token.username)
        if secret is None:
            raise PlatformError(1010003)
        now = time.time() if now is None else now
        stamp = parse_created(token.created)
        if stamp is None or not self._fresh(stamp, now):
            raise PlatformError(1010013)
        expected = digest(secret, token.nonce, token.created).encode()
        # Compared as bytes: compare_digest refuses non-ASCII str, and a header may carry anything.
        if not hmac.compare_digest(expected, token.digest.encode("utf-8", "surrogateescape")):
            raise PlatformError(1010010)
        if self.reject_replay:
            self._remember(token.username, token.nonce, stamp, now)
        return token.username

    def _fresh(self, stamp: float, now: float) -> bool:
        if abs(stamp - now) <= self.window:
            return True
        # The official Python sample stamps Beijing local time with a "Z".
        return self.accept_beijing_time and abs(stamp - BEIJING_OFFSET - now) <= self.window

    def _remember(self, key: str, nonce: str, stamp: float, now: float) -> None:
        expiry = self._expiry
        while expiry and expiry[0][0] < now:
            self._seen.discard(heapq.heappop(expiry)[1])
        entry = (key, nonce)
        if entry in self._seen:
            raise PlatformError(1010010, detail="Nonce already used")
        # The same headers stay acceptable until the stamp, read as UTC, leaves the window
        # (a Beijing-time stamp becomes acceptable again 8 h later): remember the nonce that long.
        self._seen.add(entry)
        heapq.heappush(expiry, (stamp + self.window, entry))
        if self.remembered is not None:
            self.remembered(key, nonce, stamp + self.window)

    def restore(self, key: str, nonce: str, forget_at: float) -> None:
        """Refuse ``nonce`` of app ``key`` again until ``forget_at`` (wall clock): one seen before a restart."""
        entry = (key, nonce)
        if entry not in self._seen:
            self._seen.add(entry)
            heapq.heappush(self._expiry, (forget_at, entry))
