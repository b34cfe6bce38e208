"""``GET /_sim/openapi.json``: the OpenAPI 3.1 document of the platform API and the control API.

The document ships in the package (``control/openapi.json``); a test keeps it true to the two
route tables, and a schemathesis run checks the answers against it. It is served with ``servers``
pointing at the address it was asked on, so tools pointed at it call this simulator.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from aiohttp import web

from ..version import __version__
from .guard import ok


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The shipped OpenAPI document."""
    doc: dict[str, Any] = json.loads(resources.files(__package__).joinpath("openapi.json").read_text("utf-8"))
    doc["info"]["version"] = __version__
    return doc


async def openapi(request: web.Request) -> web.Response:
    """``GET /_sim/openapi.json``."""
    return ok(dict(document(), servers=[{"url": str(request.url.origin())}]))
