"""What every ``/_sim/`` request goes through: the token, the method check, the body, the one error shape.

Every control answer that is an error is JSON ``{"error": "...", "status": N}`` (some
add fields, e.g. a scenario's ``problems``): 400 bad input, 401 without the token when
``--control-token`` is set, 404 an unknown thing or path, 405 a wrong method, 409 not
possible in this mode.
"""
from __future__ import annotations

import hmac
from typing import Any, Awaitable, Callable

from aiohttp import web

from ..errors import json_bytes
from ..inputs import InputError, loads

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CONTROL_PREFIX = "/_sim/"


class BadInput(Exception):
    """A control request the API refuses with 400 (or ``status``), this message, and ``extra`` fields."""

    def __init__(self, message: str, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.extra = extra


def ok(doc: Any, status: int = 200) -> web.Response:
    """A JSON answer."""
    return web.Response(body=json_bytes(doc), status=status, content_type="application/json", charset="utf-8")


def error(status: int, message: str, **extra: Any) -> web.Response:
    """A JSON error answer: ``{"error": message, "status": status, **extra}``."""
    return ok({"error": message, "status": status, **extra}, status)


async def read_body(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object (an empty body is ``{}``), or BadInput saying what is wrong.

    Strict JSON (``inputs.loads``): no NaN or Infinity, finite numbers, bounded depth, strings
    that can be stored and sent on; at most the app's ``max_body`` bytes (413).
    """
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge as exc:  # past the app's max_body
        raise BadInput(f"body is too large: {exc.text}", 413) from None
    if not raw.strip():
        return {}
    try:
        doc = loads(raw)
    except InputError as exc:
        raise BadInput(f"body {exc}") from None
    if not isinstance(doc, dict):
        raise BadInput("body must be a JSON object")
    return doc


def guarded(methods: dict[str, Handler], token: str | None) -> Handler:
    """One handler for a control path: the token first, then the method (HEAD as GET), then the view.

    A view refuses bad input by raising ``BadInput``; it becomes the one error shape here.
    """
    allowed = ", ".join(sorted(methods))

    async def dispatch(request: web.Request) -> web.StreamResponse:
        handler = methods.get(request.method) or (methods.get("GET") if request.method == "HEAD" else None)
        if handler is None:
            resp = error(405, f"{request.method} is not allowed on {request.path}; use {allowed}")
            resp.headers["Allow"] = allowed
            return resp
        try:
            return await handler(request)
        except BadInput as exc:
            return error(exc.status, str(exc), **exc.extra)

    return with_token(dispatch, token)


def with_token(handler: Handler, token: str | None) -> Handler:
    """``handler``, answering 401 unless the request carries ``Authorization: Bearer <token>`` (if set)."""
    if not token:
        return handler
    expected = f"Bearer {token}".encode("utf-8", "surrogateescape")

    async def check(request: web.Request) -> web.StreamResponse:
        # aiohttp keeps undecodable header bytes as surrogates: encode them back, never fail on them.
        given = request.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, expected):
            resp = error(401, "the control API needs the header 'Authorization: Bearer <token>' "
                              "with the token given by --control-token")
            resp.headers["WWW-Authenticate"] = 'Bearer realm="voicesim"'
            return resp
        return await handler(request)

    return check
