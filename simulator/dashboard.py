"""The live dashboard at ``/_sim/ui``: a page shipped in the package and its Server-Sent Events feed.

The feed only reads the platform (live and recently ended calls, pushes, ports, the
clock); the page's controls go through small POST endpoints that call the platform.
``GET /_sim/calls/{sessionId}/timeline.svg`` draws one call for sharing.
"""
from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from .api._http import PLATFORM
from .clock import utc_text
from .config import MAX_PORTS
from .delivery.push import Push
from .engine.call import Call
from .platform import Platform
from .stats import Tally, figures
from .timeline import bill_deliveries, events, outcome, timeline_svg

STATIC = Path(__file__).parent / "static"
TALLY = web.AppKey("dashboard_tally", Tally)
_STOPPING = web.AppKey("dashboard_stopping", asyncio.Event)
FEED_INTERVAL = 0.25  # real seconds between looks at the platform: the page's refresh rate
KEEPALIVE = 15.0  # real seconds of silence after which the feed sends a comment line
RECENT_CALLS = 200
RECENT_BILLS = 30
BILL_LOOKBACK = 20_000  # pushes looked through for the newest bill messages


def call_row(call: Call) -> dict[str, Any]:
    """A call as the dashboard's list shows it."""
    return {"sessionId": call.session_id, "state": call.state, "callee": call.callee, "caller": call.caller,
            "start": utc_text(call.start), "startEpoch": round(call.start, 3), "outcome": outcome(call),
            "stateCode": call.ending.state_code if call.ending else None, "userData": call.user_data}


def recent_calls(platform: Platform, limit: int = RECENT_CALLS) -> list[Call]:
    """The newest ``limit`` calls, live or ended, newest first, without copying the whole state."""
    engine = platform.engine
    calls = [*itertools.islice(reversed(engine.live.values()), limit),
             *itertools.islice(reversed(engine.ended), limit)]
    calls.sort(key=lambda c: -c.seq)
    return calls[:limit]


def call_detail(platform: Platform, session_id: str) -> dict[str, Any] | None:
    """The selected call: its row, its events with push results, its bill deliveries."""
    call = platform.engine.find(session_id)
    if call is None:
        return None
    pushes = pushes_of(platform, call)
    return {"call": call_row(call), "events": [e.to_json() for e in events(call, pushes)],
            "bills": bill_deliveries(pushes), "timeline": f"/_sim/calls/{session_id}/timeline.svg"}


def recent_bills(platform: Platform, limit: int = RECENT_BILLS) -> list[dict[str, Any]]:
    """The newest bill messages with their attempts, newest first (looking back a bounded way)."""
    found: list[Push] = []
    for push in itertools.islice(reversed(platform.delivery.pushes), BILL_LOOKBACK):
        if push.kind == "bill":
            found.append(push)
            if len(found) == limit:
                break
    return bill_deliveries(found)


def pushes_of(platform: Platform, call: Call) -> list[Push]:
    """The call's pushes, looking back only as far as its start (pushes are kept in creation order)."""
    found = []
    for push in reversed(platform.delivery.pushes):
        if push.created < call.start:
            break
        if call.session_id in push.session_ids:
            found.append(push)
    found.reverse()
    return found


def snapshot(platform: Platform, tally: Tally, selected: str | None = None) -> dict[str, Any]:
    """Everything the page shows at one moment."""
    doc = figures(platform, tally)
    doc["recent"] = [call_row(c) for c in recent_calls(platform)]
    doc["billDeliveries"] = recent_bills(platform)
    if selected:
        doc["selected"] = call_detail(platform, selected)
    return doc


# -- HTTP ------------------------------------------------------------------------------
async def page(request: web.Request) -> web.FileResponse:
    """``GET /_sim/ui``: the dashboard page."""
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def feed(request: web.Request) -> web.StreamResponse:
    """``GET /_sim/ui/feed[?call=<sessionId>]``: a snapshot event whenever what the page shows changed."""
    platform, tally, stopping = request.app[PLATFORM], request.app[TALLY], request.app[_STOPPING]
    selected = request.query.get("call") or None
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                       "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    last, quiet = "", 0.0
    try:
        while not stopping.is_set():
            text = json.dumps(snapshot(platform, tally, selected), separators=(",", ":"))
            if text != last:
                await resp.write(f"event: snapshot\ndata: {text}\n\n".encode())
                last, quiet = text, 0.0
            elif quiet >= KEEPALIVE:
                await resp.write(b": keep-alive\n\n")
                quiet = 0.0
            # Wall-clock pacing of a page refresh, not simulated time: a manual clock
            # stands still, yet the page must still show what a control just changed.
            try:
                await asyncio.wait_for(stopping.wait(), FEED_INTERVAL)
            except asyncio.TimeoutError:
                quiet += FEED_INTERVAL
    except ConnectionResetError:
        pass  # the page went away
    return resp


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        doc = json.loads(await request.read() or b"{}")
    except ValueError:
        raise web.HTTPBadRequest(text='{"error": "body is not JSON"}', content_type="application/json") from None
    if not isinstance(doc, dict):
        raise web.HTTPBadRequest(text='{"error": "body must be a JSON object"}', content_type="application/json")
    return doc


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


async def set_ports(request: web.Request) -> web.Response:
    """``POST /_sim/ui/ports`` ``{"capacity": n}``: live calls keep their ports, new ones see the new limit."""
    platform = request.app[PLATFORM]
    value = (await _json(request)).get("capacity")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_PORTS:
        return _error(400, f"capacity must be an integer 0-{MAX_PORTS}")
    platform.ports.capacity = value
    return web.json_response({"capacity": value, "idle": platform.ports.idle})


async def set_clock(request: web.Request) -> web.Response:
    """``POST /_sim/ui/clock`` ``{"advance": seconds}`` (manual clock) or ``{"speed": x}`` (real or scaled)."""
    clock = request.app[PLATFORM].clock
    doc = await _json(request)
    if ("advance" in doc) == ("speed" in doc):
        return _error(400, 'give exactly one of "advance" (seconds) or "speed"')
    if "advance" in doc:
        seconds = doc["advance"]
        if not _number(seconds) or not 0 <= seconds <= 366 * 86400:
            return _error(400, "advance must be a number of seconds, 0-31622400")
        if not clock.manual:
            return _error(409, f"the clock is {clock.mode}, not manual: set its speed instead")
        await clock.advance(seconds)
    else:
        speed = doc["speed"]
        if not _number(speed) or not 1e-6 <= speed <= 1e7:
            return _error(400, "speed must be a number, 0.000001-10000000")
        if clock.manual:
            return _error(409, "the clock is manual: advance it instead")
        clock.set_speed(speed)
    return web.json_response({"mode": clock.mode, "now": utc_text(clock.now())})


async def timeline(request: web.Request) -> web.Response:
    """``GET /_sim/calls/{sessionId}/timeline.svg``: one call's lifecycle as a sequence diagram."""
    platform = request.app[PLATFORM]
    session_id = request.match_info["session_id"]
    call = platform.engine.find(session_id)
    if call is None:
        return _error(404, f"no live or recent call {session_id}")
    return web.Response(text=timeline_svg(call, pushes_of(platform, call)), content_type="image/svg+xml",
                        headers={"Content-Disposition": 'inline; filename="timeline.svg"'})


def routes(app: web.Application) -> None:
    """Add the dashboard, its feed, controls and the timeline snapshots to ``app``."""
    platform = app[PLATFORM]
    app[TALLY] = Tally.attach(platform)
    app[_STOPPING] = stopping = asyncio.Event()

    async def on_shutdown(_: web.Application) -> None:
        stopping.set()  # open feeds end now rather than hold the server's shutdown

    app.on_shutdown.append(on_shutdown)
    app.router.add_get("/_sim/ui", page)
    app.router.add_get("/_sim/ui/", page)
    app.router.add_get("/_sim/ui/feed", feed)
    app.router.add_post("/_sim/ui/ports", set_ports)
    app.router.add_post("/_sim/ui/clock", set_clock)
    app.router.add_static("/_sim/ui/static", STATIC)
    app.router.add_get("/_sim/calls/{session_id}/timeline.svg", timeline)
