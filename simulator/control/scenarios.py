"""``/_sim/scenarios``: which scenarios are active, and switching them at run time."""
from __future__ import annotations

import asyncio

from aiohttp import web

from ..scenarios import ScenarioError, loads
from .guard import BadInput, ok, read_body
from .keys import parts


async def list_scenarios(request: web.Request) -> web.Response:
    """``GET /_sim/scenarios``: the active scenarios, first match first, and every one that can be activated."""
    return ok(parts(request)[0].scenarios.describe())


async def activate(request: web.Request) -> web.Response:
    """``POST /_sim/scenarios``: ``{"name": "busy"}``, ``{"names": [...]}`` (``[]``: default only),
    or ``{"yaml": "<scenario text>"}``; answers like GET, or 400 naming the problems."""
    platform = parts(request)[0]
    doc = await read_body(request)
    if len(doc.keys() & {"name", "names", "yaml"}) != 1:
        raise BadInput('give exactly one of "name", "names" or "yaml"')
    try:
        if "yaml" in doc:
            if not isinstance(doc["yaml"], str):
                raise BadInput('"yaml" must be a string')
            # Reading YAML is pure Python and bounded, yet can take a good fraction of a second for a
            # large hostile text: off the event loop, so health and the calls keep their pace meanwhile.
            scenario = await asyncio.to_thread(loads, doc["yaml"], "<posted>", platform.scenarios.seed)
            platform.scenarios.use(scenario)
        else:
            names = [doc["name"]] if "name" in doc else doc["names"]
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise BadInput("scenario names must be strings")
            platform.activate_scenario(*names)
    except ScenarioError as exc:
        raise BadInput("invalid scenario", problems=exc.problems) from None
    return ok(platform.scenarios.describe())
