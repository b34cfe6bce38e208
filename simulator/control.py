"""The simulator's own API under ``/_sim/``: its routes, method checks and the optional token.

The views live in ``control_views``; this module only wires them. Errors are JSON
``{"error": "...", "status": N}``: 404 for an unknown path, 405 for a wrong method,
401 without the token when ``--control-token`` is set.
"""
from __future__ import annotations

import hmac
from typing import Any

from aiohttp import web

from .api._http import PLATFORM
from .control_views import (
    BadInput,
    Handler,
    apps_register,
    apps_view,
    bills,
    call_detail,
    calls,
    clock_change,
    clock_view,
    deliveries,
    error,
    events,
    health,
    metrics,
    ports_change,
    ports_view,
    requests,
    reset,
)
from .recorder import CONTROL_PREFIX

TABLE: dict[str, dict[str, Handler]] = {
    "/_sim/health": {"GET": health},
    "/_sim/calls": {"GET": calls},
    "/_sim/calls/{sessionId}": {"GET": call_detail},
    "/_sim/events": {"GET": events},
    "/_sim/bills": {"GET": bills},
    "/_sim/deliveries": {"GET": deliveries},
    "/_sim/requests": {"GET": requests},
    "/_sim/reset": {"POST": reset},
    "/_sim/clock": {"GET": clock_view, "POST": clock_change},
    "/_sim/ports": {"GET": ports_view, "POST": ports_change, "PUT": ports_change},
    "/_sim/apps": {"GET": apps_view, "POST": apps_register},
    "/_sim/metrics": {"GET": metrics},
}


def _dispatch(methods: dict[str, Handler]) -> Handler:
    allowed = ", ".join(sorted(methods))

    async def handle(request: web.Request) -> web.StreamResponse:
        handler = methods.get(request.method) or (methods.get("GET") if request.method == "HEAD" else None)
        if handler is None:
            resp = error(405, f"{request.method} is not allowed on {request.path}; use {allowed}")
            resp.headers["Allow"] = allowed
            return resp
        try:
            return await handler(request)
        except BadInput as exc:
            return error(exc.status, str(exc))

    return handle


def unknown(request: web.Request) -> web.Response:
    """The answer for a path under ``/_sim/`` that is not part of the control API."""
    paths = {r.canonical for r in request.app.router.resources() if r.canonical.startswith(CONTROL_PREFIX)}
    known = ", ".join(sorted(paths - {CONTROL_PREFIX + "{tail}"}))
    return error(404, f"no control endpoint at {request.path}; the control API has: {known}")


def token_middleware(token: str) -> Any:
    """A middleware that makes every ``/_sim/`` path demand ``Authorization: Bearer <token>``."""
    expected = f"Bearer {token}".encode()

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(CONTROL_PREFIX):
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                resp = error(401, "the control API needs the header 'Authorization: Bearer <token>' "
                                  "with the token given by --control-token")
                resp.headers["WWW-Authenticate"] = 'Bearer realm="voicesim"'
                return resp
        return await handler(request)

    return check


def routes(app: web.Application) -> None:
    """Add these views to ``app``, and the token check when a control token is set."""
    for path, methods in TABLE.items():
        app.router.add_route("*", path, _dispatch(methods))
    token = app[PLATFORM].settings.control_token
    if token:
        app.middlewares.append(token_middleware(token))
