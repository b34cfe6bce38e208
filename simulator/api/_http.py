"""What every platform API handler does the same way: auth, body, and the answer."""
from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from ..config import AppConfig
from ..platform import Platform
from .codes import CONTENT_TYPE, PlatformError, invalid

PLATFORM = web.AppKey("platform", Platform)
_JSON_TYPES = ("application/json", "text/json")


def authenticate(request: web.Request, platform: Platform) -> AppConfig:
    """The app that signed ``request``, or the platform's auth error."""
    headers = request.headers
    key = platform.verifier.verify(headers.get("Authorization"), headers.get("X-AKSK"))
    return platform.apps[key]


async def read_json(request: web.Request, max_body: int) -> dict[str, Any]:
    """The request body as a JSON object, or 1010002 saying what is wrong with it."""
    if request.content_type not in _JSON_TYPES:
        raise invalid(f"Content-Type must be application/json, got {request.content_type or 'none'}")
    if request.content_length is not None and request.content_length > max_body:
        raise PlatformError(1010002, f"body must not exceed {max_body} bytes", http_status=413)
    try:
        raw = await request.content.read(max_body + 1)
    except ValueError as exc:  # a broken chunked body
        raise invalid(f"body could not be read: {exc}") from None
    if len(raw) > max_body:
        raise PlatformError(1010002, f"body must not exceed {max_body} bytes", http_status=413)
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid(f"body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise invalid("body must be a JSON object")
    return doc


def answer(doc: dict[str, Any], status: int = 200) -> web.Response:
    """A JSON answer with the platform's content type."""
    return web.Response(status=status, body=json.dumps(doc, ensure_ascii=False).encode(),
                        headers={"Content-Type": CONTENT_TYPE})


def refusal(error: PlatformError, **extra: Any) -> web.Response:
    """The platform's answer to a refused request."""
    return web.Response(status=error.http_status, body=error.body(**extra), headers={"Content-Type": CONTENT_TYPE})
