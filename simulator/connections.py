"""How long a client may hold a connection without sending a whole request.

An idle keep-alive connection, or one still sending its request line and headers, is
closed ``keepalive_timeout`` real seconds after it opened or after its last answer
(aiohttp's keep-alive timer, which covers both); a request whose body has not fully
arrived ``body_timeout`` real seconds after its headers has its connection closed.
Neither can then hold the server, a file descriptor or a handler for long. The front's lean path
(``front/connection.py``) keeps the same two deadlines on the connections it serves itself.
"""
from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from .config import Settings


def handler_args(settings: Settings) -> dict[str, Any]:
    """Arguments of aiohttp's connection handler (``web.Application(handler_args=...)``)."""
    return {"keepalive_timeout": settings.keepalive_timeout}


def body_deadline(handler: Handler, timeout: float) -> Handler:
    """``handler``, closing the connection of a request whose body is still incomplete after ``timeout``.

    Each route's handler is wrapped (``api`` and ``control`` add their routes so), not the whole
    application: an aiohttp middleware would cost every request a wrapper chain it rarely needs.
    """
    async def deadline(request: web.Request) -> web.StreamResponse:
        if request.content.is_eof():  # no body, or all of it came with the headers: the usual case, no timer
            return await handler(request)
        timer = asyncio.get_running_loop().call_later(timeout, _cut_off, request)
        try:
            return await handler(request)
        except ConnectionResetError:  # the body's read failed: the client left, or was cut off, mid-body
            transport = request.transport
            if transport is None or transport.is_closing():
                return web.Response(status=408)  # nobody to send it to: the handler simply ends, no traceback
            raise
        finally:
            timer.cancel()

    return deadline


def _cut_off(request: web.Request) -> None:
    transport = request.transport
    if not request.content.is_eof() and transport is not None:
        transport.close()  # the handler's read fails as for a client gone; nothing is answered
