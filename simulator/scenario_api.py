"""``/_sim/scenarios``: which scenarios are active, and switching them at run time."""
from __future__ import annotations

import json

from aiohttp import web

from .api._http import PLATFORM
from .scenarios import ScenarioError


async def list_scenarios(request: web.Request) -> web.Response:
    """``GET /_sim/scenarios``: the active scenarios, first match first, and every one that can be activated."""
    return web.json_response(request.app[PLATFORM].scenarios.describe())


async def activate(request: web.Request) -> web.Response:
    """``POST /_sim/scenarios``: ``{"name": "busy"}``, ``{"names": [...]}`` (``[]``: default only),
    or ``{"yaml": "<scenario text>"}``; answers like GET, or 400 naming the problems."""
    platform = request.app[PLATFORM]
    try:
        doc = json.loads(await request.read() or b"{}")
    except ValueError as exc:
        return web.json_response({"error": f"body is not JSON: {exc}"}, status=400)
    if not isinstance(doc, dict) or len(doc.keys() & {"name", "names", "yaml"}) != 1:
        return web.json_response({"error": 'give exactly one of "name", "names" or "yaml"'}, status=400)
    try:
        if "yaml" in doc:
            if not isinstance(doc["yaml"], str):
                return web.json_response({"error": '"yaml" must be a string'}, status=400)
            platform.scenarios.activate_text(doc["yaml"])
        else:
            names = [doc["name"]] if "name" in doc else doc["names"]
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                return web.json_response({"error": "scenario names must be strings"}, status=400)
            platform.activate_scenario(*names)
    except ScenarioError as exc:
        return web.json_response({"error": "invalid scenario", "problems": exc.problems}, status=400)
    return web.json_response(platform.scenarios.describe())


def routes(app: web.Application) -> None:
    """Add ``/_sim/scenarios`` to ``app``."""
    app.router.add_get("/_sim/scenarios", list_scenarios)
    app.router.add_post("/_sim/scenarios", activate)
