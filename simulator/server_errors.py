"""aiohttp's own error answers, in our shapes: JSON, never plain text, never a traceback.

Some requests never reach a route: a bad request line, headers over aiohttp's limits, a body
that does not frame. aiohttp answers those itself (``RequestHandler.handle_error``) with a
plain-text page, as it answers an exception no handler caught (500). aiohttp offers no hook for
that answer, so ``install`` wraps the method once, and the wrapper reshapes the answer only for
applications ``create_app`` marked: under ``/_sim/`` as ``{"error", "status"}``, anywhere else
(also a request whose path could not be read) as the platform's own ``resultcode`` answer.
"""
from __future__ import annotations

import re
from typing import Any

from aiohttp import web, web_protocol

from .control import CONTROL_PREFIX, error
from .errors import CONTENT_TYPE, PlatformError

_ECHO = re.compile(r": (?:b'|bytearray\()")  # where aiohttp starts quoting the bytes it could not read
SHAPED = web.AppKey("voicesim_shaped_errors", bool)
_PLAIN = web_protocol.RequestHandler.handle_error


def _platform_error(status: int, message: str) -> PlatformError:
    if status == 500:
        return PlatformError(1010001)
    if status == 504:
        return PlatformError(1023002)
    return PlatformError(1010002, f"HTTP request could not be read: {message}", http_status=status)


def _handle_error(self: web_protocol.RequestHandler, request: web.BaseRequest, status: int = 500,
                  exc: BaseException | None = None, message: str | None = None) -> web.StreamResponse:
    handler: Any = getattr(self, "_request_handler", None)
    app = getattr(handler, "__self__", None)
    if not isinstance(app, web.Application) or not app.get(SHAPED):
        return _PLAIN(self, request, status, exc, message)
    # aiohttp's message echoes the offending bytes over several lines: its first line, shortened, says enough.
    why = _ECHO.split((message or "").strip().split("\n", 1)[0])[0].rstrip(":")[:120] or "bad request"
    if status < 500:  # a client's bad bytes: one quiet line, not a traceback in the server's log
        self.logger.debug("Request from %s refused (HTTP %s): %s", request.remote, status, why)
        if request.writer.output_size > 0:
            raise ConnectionError("an answer was already begun: no room for the error")
    else:
        _PLAIN(self, request, status, exc, message)  # logs it; raises if an answer was already begun
    if status == 500:
        why = "internal error (see the server log)"  # never the traceback
    if request.path.startswith(CONTROL_PREFIX):
        shaped = error(status, why)
    else:
        shaped = web.Response(status=status, body=_platform_error(status, why).body(),
                              headers={"Content-Type": CONTENT_TYPE})
    shaped.force_close()  # as aiohttp's own: the connection's state is unknown after such an error
    return shaped


def install(app: web.Application) -> None:
    """Answer aiohttp's own errors on ``app`` in our shapes (the wrapper is put in place once per process)."""
    app[SHAPED] = True
    if web_protocol.RequestHandler.handle_error is _PLAIN:
        web_protocol.RequestHandler.handle_error = _handle_error  # type: ignore[method-assign]
