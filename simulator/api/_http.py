"""The platform's answers and what every API reads the same way: who signed, and the JSON body."""
from __future__ import annotations

from typing import Any

from ..config import AppConfig
from ..errors import CONTENT_TYPE, PlatformError, invalid, json_bytes, success_body
from ..front import Answer, Request
from ..inputs import InputError, loads
from ..platform import Platform

_JSON_TYPES = ("application/json", "text/json")
_JSON_HEADERS = {"Content-Type": CONTENT_TYPE}  # shared, never changed: each answer would otherwise copy it


def authenticate(request: Request, platform: Platform) -> AppConfig:
    """The app that signed ``request``, or the platform's auth error."""
    headers = request.headers
    key = platform.verifier.verify(headers.get("Authorization"), headers.get("X-AKSK"))
    return platform.apps[key]


def body_of(request: Request, max_body: int) -> bytes:
    """The body of a JSON request, or 1010002 saying why it is not one (413 when over ``max_body``)."""
    # Read the header itself: a parsed content type costs microseconds on the hot path.
    ctype = request.headers.get("Content-Type", "").partition(";")[0].strip().lower()
    if ctype not in _JSON_TYPES:
        raise invalid(f"Content-Type must be application/json, got {ctype or 'none'}")
    if request.body_too_large:
        raise PlatformError(1010002, f"body must not exceed {max_body} bytes", http_status=413)
    return request.body


def json_object(raw: bytes) -> dict[str, Any]:
    """``raw`` as a JSON object, or 1010002 saying what is wrong with it."""
    try:
        doc = loads(raw)  # strict: no NaN/Infinity, finite numbers, bounded depth, encodable strings
    except InputError as exc:
        raise invalid(f"body {exc}") from None
    if not isinstance(doc, dict):
        raise invalid("body must be a JSON object")
    return doc


def origin_of(request: Request) -> str:
    """Where ``request`` was sent (``scheme://host:port``), or 1010002 (HTTP 400) for a ``Host`` that names none."""
    try:
        return request.origin()
    except ValueError:  # a port out of range, not a number, an empty Host: what was asked cannot be read
        raise PlatformError(1010002, "HTTP request could not be read: Host is not a host[:port]",
                            http_status=400) from None


def answer(doc: dict[str, Any], status: int = 200) -> Answer:
    """A JSON answer with the platform's content type."""
    return Answer(status, json_bytes(doc), _JSON_HEADERS)


def success(session_id: str, idle_port: int | None = None) -> Answer:
    """The answer to an accepted call request (``errors.success_body``)."""
    return Answer(200, success_body(session_id, idle_port), _JSON_HEADERS)


def refusal(error: PlatformError, **extra: Any) -> Answer:
    """The platform's answer to a refused request."""
    return Answer(error.http_status, error.body(**extra), _JSON_HEADERS)
