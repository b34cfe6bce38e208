"""The simulator's own API under ``/_sim/``: what happened, for tests and people."""
from __future__ import annotations

from aiohttp import web

from . import control_views
from .api._http import PLATFORM


async def deliveries(request: web.Request) -> web.Response:
    """``GET /_sim/deliveries``: every push and its attempts, oldest first.

    Filters: ``kind`` (status, bill), ``state`` (delivered, failed, retrying, given_up,
    sending), ``sessionId``, ``limit`` (the newest N).
    """
    platform = request.app[PLATFORM]
    q = request.query
    pushes = list(platform.delivery.pushes)
    if "kind" in q:
        pushes = [p for p in pushes if p.kind == q["kind"]]
    if "state" in q:
        pushes = [p for p in pushes if p.state == q["state"]]
    if "sessionId" in q:
        pushes = [p for p in pushes if q["sessionId"] in p.session_ids]
    if "limit" in q:
        try:
            limit = int(q["limit"])
        except ValueError:
            return web.json_response({"error": "limit must be an integer"}, status=400)
        pushes = pushes[-limit:] if limit > 0 else []
    return web.json_response({"deliveries": [p.to_json() for p in pushes], "count": len(pushes),
                              "owedBills": len(platform.delivery.owed)})


def routes(app: web.Application) -> None:
    """Add the control API to ``app``."""
    app.router.add_get("/_sim/deliveries", deliveries)
    control_views.routes(app)
