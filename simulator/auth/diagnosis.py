"""Why the platform refused a request's signature: the SP's likely mistake, found by recomputing its variants.

The platform only answers a refusal of spec section 2 (``1010010 Invalid digest.``,
``1010013 Time out limit.``, a ``1023xxx`` header code ...). This module tells the SP
which mistake its headers match: the digest is recomputed the usual wrong ways (hex
instead of Base64, key and message swapped, the app key as the secret, the old
SHA-256 formula ...), a ``Created`` stamp outside the window is read as another time
zone, the headers are checked for missing quotes, wrong separators and wrong values.
Pure: the caller gives the headers, the secrets and the time. Secrets never appear in
a diagnosis, even when the SP sent one where its app key belongs.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ..errors import PlatformError
from .signing import parse_created, parse_x_aksk

EVIDENCE_LIMIT = 300  # characters of a header kept as evidence
_HEADER_CODES = range(1023006, 1023013)  # the Authorization header's refusals
_X_AKSK_CODES = range(1023033, 1023038)
_REPLAY = "Nonce already used"  # the Verifier's detail on a replayed nonce
_AUTH_ATTRS = ("realm", "profile", "type")
_AKSK_ATTRS = ("Username", "PasswordDigest", "Nonce", "Created")
_AUTH_VALUES = {"realm": "SDP", "profile": "UsernameToken", "type": "Appkey"}
# These run on every refused request, over headers of any length: each can start a match at few places
# (not inside a run of name characters) and never gives back what a possessive quantifier took, so a
# header of 8 KB costs a pass or two over it, not one pass per character.
_NAME = re.compile(r"(?<![A-Za-z_])([A-Za-z_]++)\s*+=")
_SEPARATOR = re.compile(r'"(?:\s*+[;&|]|\s)\s*+[A-Za-z_]++\s*+=')  # a value's closing quote, then no comma
_CREATED_SHAPES = (
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,]\d+Z?"), "has fractions of a second"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:?\d\d"), "has a UTC offset instead of a literal Z"),
    (re.compile(r"\d{4}-\d\d-\d\d[ _]\d\d:\d\d:\d\dZ?"), "has a space instead of the T"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"), "has no trailing Z"),
    (re.compile(r"\d{13}"), "is epoch milliseconds"),
    (re.compile(r"\d{9,10}(?:\.\d+)?"), "is epoch seconds"),
)


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """The mistake a refused request's signature matches.

    ``mistake`` is a stable id (``hex_digest``; parts of a combination joined by ``+``,
    e.g. ``swapped_key_message+hex_digest``), ``detail`` one sentence about this request,
    ``evidence`` the header as sent (trimmed, any secret masked).
    """

    mistake: str
    detail: str
    evidence: str

    def to_json(self) -> dict[str, str]:
        """As the journal stores and ``/_sim/requests`` shows it."""
        return {"mistake": self.mistake, "detail": self.detail, "evidence": self.evidence}

    @classmethod
    def from_json(cls, doc: Any) -> Diagnosis | None:
        """Read ``to_json``'s form back; None for anything else."""
        if not isinstance(doc, dict):
            return None
        mistake, detail, evidence = doc.get("mistake"), doc.get("detail"), doc.get("evidence")
        if not (isinstance(mistake, str) and isinstance(detail, str) and isinstance(evidence, str)):
            return None
        return cls(mistake, detail, evidence)


def diagnose(error: PlatformError, headers: Mapping[str, str], secrets: Mapping[str, str], now: float,
             window: float, beijing: bool = True) -> Diagnosis:
    """The mistake behind ``error``, the refusal a request with ``headers`` got at ``now`` (epoch seconds).

    ``secrets``: app key -> secret of the apps accepted; ``window`` and ``beijing`` as the
    Verifier checked ``Created``.
    """
    auth, aksk = headers.get("Authorization"), headers.get("X-AKSK")
    code = error.code
    if code in _HEADER_CODES:
        mistake, detail = _authorization(code, auth, headers)
        evidence = "Authorization: " + auth if auth is not None else _present(headers)
    elif code in _X_AKSK_CODES:
        mistake, detail = _x_aksk(code, error.detail, aksk, headers)
        evidence = "X-AKSK: " + aksk if aksk is not None else _present(headers)
    else:
        evidence = f"X-AKSK: {aksk}"
        mistake, detail = _token(code, error.detail, aksk, secrets, now, window, beijing)
    hidden = secrets.values()
    return Diagnosis(mistake, _printable(_masked(detail, hidden)), _printable(_trim(_masked(evidence, hidden))))


def _token(code: int, detail: str, aksk: str | None, secrets: Mapping[str, str], now: float, window: float,
           beijing: bool) -> tuple[str, str]:
    try:
        token = parse_x_aksk(aksk)
    except PlatformError:
        return "unknown", "the X-AKSK header could not be read"
    if code == 1010003:
        return _app_key(token.username, secrets)
    if code == 1010013:
        return _created(token.created, now, window, beijing)
    if code == 1010010 and detail == _REPLAY:
        return "reused_nonce", f"Nonce {token.nonce[:40]} was already used by an accepted request"
    if code == 1010010:
        secret = secrets.get(token.username, "")
        return _digest(token.username, secret, token.nonce, token.created, token.digest)
    return "unknown", f"refused with {code}"


# -- the digest -----------------------------------------------------------------------------
def _formulas(key: str, secret: str, nonce: str, created: str) -> list[tuple[str, bytes]]:
    """The raw digest each way of computing it gives: the right one first (id ''), then the usual mistakes."""
    msg, s = _utf8(nonce + created), _utf8(secret)
    return [
        ("", hmac.digest(s, msg, "sha256")),
        ("swapped_key_message", hmac.digest(msg, s, "sha256")),
        ("app_key_as_secret", hmac.digest(_utf8(key), msg, "sha256")),
        ("old_sha256", hashlib.sha256(msg + s).digest()),
        ("created_nonce_order", hmac.digest(s, _utf8(created + nonce), "sha256")),
        ("secret_newline", hmac.digest(s + b"\n", msg, "sha256")),
    ]


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # header bytes that were not UTF-8 arrive as surrogates


_ENCODINGS: tuple[tuple[str, Callable[[bytes], str]], ...] = (
    ("", lambda raw: base64.b64encode(raw).decode()),
    ("hex_digest", lambda raw: raw.hex()),
    ("base64_of_hex", lambda raw: base64.b64encode(raw.hex().encode()).decode()),
    ("base64url_digest", lambda raw: base64.urlsafe_b64encode(raw).decode()),
    ("unpadded_base64", lambda raw: base64.b64encode(raw).decode().rstrip("=")),
    ("base64url_digest", lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")),  # as JWTs write it
)
_PARTS = {
    "swapped_key_message": "HMAC key and message swapped (key = nonce + created, message = secret)",
    "app_key_as_secret": "the app key used as the HMAC secret",
    "old_sha256": "the old formula SHA256(nonce + created + secret)",
    "created_nonce_order": "created + nonce signed instead of nonce + created",
    "secret_newline": "the secret signed with a trailing newline",
    "hex_digest": "the digest sent as hex instead of Base64",
    "base64_of_hex": "the Base64 of the hex digest instead of the raw 32 bytes",
    "base64url_digest": "URL-safe Base64 (-_ instead of +/)",
    "unpadded_base64": "Base64 without its = padding",
}


def _digest(key: str, secret: str, nonce: str, created: str, given: str) -> tuple[str, str]:
    if not secret:
        return "wrong_secret", f"no secret is known for app key {key[:40]}"
    sent = given.strip()
    for formula, raw in _formulas(key, secret, nonce, created):
        for encoding, encode in _ENCODINGS:
            expected = encode(raw)
            if sent == expected or (encoding == "hex_digest" and sent.lower() == expected):
                parts = [p for p in (formula, encoding) if p]
                if not parts:  # right after all: the secret changed since, or the headers were re-read
                    return "unknown", "the digest is right for this app's secret now"
                return "+".join(parts), "PasswordDigest matches " + "; ".join(_PARTS[p] for p in parts)
    return "wrong_secret", ("PasswordDigest matches none of the usual mistakes: most likely another secret than "
                            f"app key {key[:40]}'s, or Nonce/Created other than the ones signed")


# -- Created --------------------------------------------------------------------------------
def _created(created: str, now: float, window: float, beijing: bool) -> tuple[str, str]:
    stamp = parse_created(created)
    if stamp is None:
        shape = next((why for pattern, why in _CREATED_SHAPES if pattern.fullmatch(created)),
                     "is not YYYY-MM-DDTHH:MM:SSZ")
        return "created_format", f"Created {created[:40]!r} {shape}"
    offset = stamp - now
    halves = round(offset / 1800)  # time zones lie on half hours (a few on quarters: close enough)
    hours = halves / 2
    if halves and abs(offset - halves * 1800) <= window and abs(hours) <= 14:
        side = "ahead of" if hours > 0 else "behind"
        accepted = " (the platform accepts UTC, and Beijing time)" if beijing else " (the platform accepts UTC)"
        return "created_timezone", (f"Created {created} is {abs(hours):g} h {side} UTC: local time of "
                                    f"UTC{'+' if hours > 0 else '-'}{_hhmm(abs(hours))} stamped with a Z{accepted}")
    side = "ahead of" if offset > 0 else "behind"
    return "clock_skew", f"Created {created} is {abs(offset):.0f} s {side} the platform's clock (window: {window:g} s)"


def _hhmm(hours: float) -> str:
    return f"{int(hours):02d}:{int(round((hours % 1) * 60)):02d}"


# -- the app key ----------------------------------------------------------------------------
def _app_key(username: str, secrets: Mapping[str, str]) -> tuple[str, str]:
    if username in secrets.values():
        return "key_secret_swapped", "Username holds an app's secret: app key and secret swapped"
    if username.strip() in secrets:
        return "app_key_whitespace", "Username is a known app key with spaces around it"
    lower = {k.lower(): k for k in secrets}
    if username.lower() in lower:
        return "app_key_case", f"Username differs from app key {lower[username.lower()]} in letter case"
    return "unknown_app_key", f"app key {username[:40]!r} is not one of the apps the platform accepts"


# -- the headers ----------------------------------------------------------------------------
def _opening(name: str, scheme: str, attrs: tuple[str, ...], value: str | None,
             headers: Mapping[str, str]) -> tuple[tuple[str, str] | None, str]:
    """The mistake in how header ``name`` opens (missing, another scheme, attributes out of shape), or None;
    and its attributes' text."""
    if value is None:
        return _missing(name, headers), ""
    got, _, rest = value.strip().partition(" ")
    if got != scheme:
        return ("header_scheme", f"{name} starts with {got[:20]!r} instead of {scheme}"), rest
    return _shape(rest, attrs, name), rest


def _authorization(code: int, value: str | None, headers: Mapping[str, str]) -> tuple[str, str]:
    found, rest = _opening("Authorization", "AKSK", _AUTH_ATTRS, value, headers)
    if found is not None:
        return found
    if code in (1023009, 1023010, 1023011):
        attr = {1023009: "realm", 1023010: "profile", 1023011: "type"}[code]
        got = _value(rest, attr)
        return "header_value", f'Authorization has {attr}="{got[:40]}"; it must be exactly "{_AUTH_VALUES[attr]}"'
    return "header_attribute", f"Authorization lacks an attribute: {error_text(code)}"


def _x_aksk(code: int, detail: str, value: str | None, headers: Mapping[str, str]) -> tuple[str, str]:
    found, rest = _opening("X-AKSK", "UsernameToken", _AKSK_ATTRS, value, headers)
    if found is not None:
        return found
    if code == 1023035 and detail:
        nonce = _value(rest, "Nonce")
        if "-" in nonce:
            why = "has dashes: str(uuid4()) instead of uuid4().hex"
        elif len(nonce) > 128:
            why = f"is {len(nonce)} characters long (at most 128)"
        else:
            why = "has characters other than letters and digits"
        return "nonce_format", f"Nonce {nonce[:40]!r} {why}"
    return "header_attribute", f"X-AKSK lacks an attribute: {error_text(code)}"


def error_text(code: int) -> str:
    """The platform's description of ``code``."""
    return PlatformError(code).description


def _missing(name: str, headers: Mapping[str, str]) -> tuple[str, str]:
    if any(h.lower() in ("x-wsse", "wsse") for h in headers):
        return "legacy_wsse", (f"the old sandbox X-WSSE scheme instead of Authorization: AKSK and X-AKSK "
                               f"({name} missing)")
    return "header_missing", f"no {name} header"


def _shape(rest: str, names: tuple[str, ...], header: str) -> tuple[str, str] | None:
    """A mistake in how attributes are written: names, quotes, separators; None if they look right."""
    bare = re.sub(r'"[^"]*"', '""', rest)  # names and quotes outside the values only
    for found in dict.fromkeys(_NAME.findall(bare)):  # each name once
        if found not in names:
            right = next((n for n in names if n.lower() == found.lower()), None)
            if right is not None:
                return "header_attribute", f"{header} writes {found}; attribute names are case-sensitive: {right}"
    unquoted = re.search(r"\b(" + "|".join(names) + r')\s*+=\s*+(?=[^"\s])', bare)
    if unquoted:
        return "header_unquoted", f"{header} has {unquoted.group(1)}= without double quotes around the value"
    if _SEPARATOR.search(bare):
        return "header_separator", f"{header} separates attributes with something else than a comma"
    return None


def _value(rest: str, name: str) -> str:
    m = re.search(name + r'\s*=\s*"([^"]*)"', rest)
    return m.group(1) if m else ""


def _present(headers: Mapping[str, str]) -> str:
    return "headers sent: " + ", ".join(sorted(set(headers)))


def _trim(text: str) -> str:
    return text if len(text) <= EVIDENCE_LIMIT else text[:EVIDENCE_LIMIT] + "..."


def _printable(text: str) -> str:
    # Header bytes that are not UTF-8 arrive as lone surrogates, which no JSON answer, log or file can carry.
    return text.encode("utf-8", "replace").decode("utf-8")


def _masked(text: str, secrets: Any) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4 and secret in text:
            text = text.replace(secret, "<app secret>")
    return text
