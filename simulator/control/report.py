"""``GET /_sim/report``: the SP integration report of what the journal holds, as JSON, Markdown or JUnit XML."""
from __future__ import annotations

import asyncio
import math

from aiohttp import web

from ..report import SEVERITIES, SLOW_AFTER, analyze, from_journal, junit, markdown
from .guard import BadInput, ok
from .keys import parts

FORMATS = ("json", "markdown", "junit")


async def report(request: web.Request) -> web.Response:
    """``GET /_sim/report[?format=json|markdown|junit][&slowAfter=S][&failOn=warning|error]``."""
    platform, journal = parts(request)
    q = request.query
    fmt = q.get("format", "json")
    if fmt not in FORMATS:
        raise BadInput(f"format must be one of {', '.join(FORMATS)}, got {fmt[:40]!r}")
    fail_on = q.get("failOn")
    if fail_on is not None and fail_on not in SEVERITIES:
        raise BadInput(f"failOn must be one of {', '.join(SEVERITIES)}, got {fail_on[:40]!r}")
    try:
        slow_after = float(q.get("slowAfter", SLOW_AFTER))
    except ValueError:
        slow_after = math.nan
    if not 0 < slow_after < math.inf:
        raise BadInput("slowAfter must be a positive number of seconds")
    records = from_journal(journal, platform.delivery)  # a snapshot, taken on the loop
    # The analysis reads the whole journal: off the loop, so the platform keeps answering meanwhile.
    found = await asyncio.get_running_loop().run_in_executor(None, analyze, records, slow_after)
    if fmt == "markdown":
        return web.Response(text=markdown(found), content_type="text/markdown")
    if fmt == "junit":
        return web.Response(text=junit(found, fail_on), content_type="application/xml")
    return ok(found.to_json())
