"""The live dashboard at ``/_sim/ui``: a page shipped in the package and its Server-Sent Events feed.

The feed only reads: the journal (calls, their events) and the platform's live state
(pushes, ports, the clock). The page's controls use the control API (``/_sim/ports``,
``/_sim/clock``, ``/_sim/scenarios``). ``GET /_sim/calls/{sessionId}/timeline.svg``
draws one call for sharing.
"""
from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from ..clock import utc_text
from ..delivery import Push
from ..engine import Call
from ..journal import Journal, Tally, figures
from ..platform import Platform
from .guard import BadInput
from .keys import JOURNAL, STOPPING, TALLY, parts
from .timeline import bill_deliveries, events, outcome, timeline_svg

STATIC = Path(__file__).parent / "static"
_STATIC_FILES = frozenset(p.name for p in STATIC.iterdir() if p.is_file())  # all it serves: no path tricks
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


def recent_calls(journal: Journal, limit: int = RECENT_CALLS) -> list[Call]:
    """The newest ``limit`` calls in the journal, live or ended, newest first."""
    return list(itertools.islice(reversed(journal.calls.values()), limit))


def find(platform: Platform, journal: Journal, session_id: str) -> Call | None:
    """A call the journal or the engine still knows."""
    return journal.calls.get(session_id) or platform.engine.find(session_id)


def seen(journal: Journal, call: Call) -> list[tuple[str, float]]:
    """The call's events as the journal recorded them, looking back only as far as its start."""
    found = [(e.event, e.at) for e in journal.events.matching(0, call.session_id, newest_first=True, since=call.start)]
    found.reverse()
    return found


def call_detail(platform: Platform, journal: Journal, session_id: str) -> dict[str, Any] | None:
    """The selected call: its row, its events with push results, its bill deliveries."""
    call = find(platform, journal, session_id)
    if call is None:
        return None
    pushes = pushes_of(platform, call)
    return {"call": call_row(call), "events": [e.to_json() for e in events(call, pushes, seen(journal, call))],
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


def snapshot(platform: Platform, journal: Journal, tally: Tally, selected: str | None = None) -> dict[str, Any]:
    """Everything the page shows at one moment."""
    doc = figures(platform, tally, journal)
    doc["recent"] = [call_row(c) for c in recent_calls(journal)]
    doc["billDeliveries"] = recent_bills(platform)
    if selected:
        doc["selected"] = call_detail(platform, journal, selected)
    return doc


# -- HTTP ------------------------------------------------------------------------------
async def page(request: web.Request) -> web.FileResponse:
    """``GET /_sim/ui``: the dashboard page."""
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def static_file(request: web.Request) -> web.FileResponse:
    """``GET /_sim/ui/static/{name}``: the page's script and style sheet."""
    name = request.match_info["name"]
    if name not in _STATIC_FILES:
        raise BadInput(f"the dashboard has no file {name!r}", 404)
    return web.FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})


async def feed(request: web.Request) -> web.StreamResponse:
    """``GET /_sim/ui/feed[?call=<sessionId>]``: a snapshot event whenever what the page shows changed."""
    platform, journal = parts(request)
    tally, stopping = request.app[TALLY], request.app[STOPPING]
    selected = request.query.get("call") or None
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                       "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    last, quiet = "", 0.0
    try:
        while not stopping.is_set():
            text = json.dumps(snapshot(platform, journal, tally, selected), separators=(",", ":"))
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
            except TimeoutError:
                quiet += FEED_INTERVAL
    except ConnectionResetError:
        pass  # the page went away
    return resp


async def timeline(request: web.Request) -> web.Response:
    """``GET /_sim/calls/{sessionId}/timeline.svg``: one call's lifecycle as a sequence diagram."""
    platform, journal = parts(request)
    session_id = request.match_info["sessionId"]
    call = find(platform, journal, session_id)
    if call is None:
        raise BadInput(f"no call with sessionId {session_id!r} in the journal", 404)
    svg = timeline_svg(call, pushes_of(platform, call), seen(journal, call))
    return web.Response(text=svg, content_type="image/svg+xml",
                        headers={"Content-Disposition": 'inline; filename="timeline.svg"'})


def setup(app: web.Application, platform: Platform) -> None:
    """Give ``app`` the dashboard's running totals and the event that ends open feeds at shutdown."""
    app[TALLY] = tally = Tally.attach(platform)
    app[STOPPING] = stopping = asyncio.Event()

    async def on_shutdown(_: web.Application) -> None:
        stopping.set()  # open feeds end now rather than hold the server's shutdown

    app.on_shutdown.append(on_shutdown)
    # The journal starts afresh (the control API's reset): so do the totals the page shows.
    # A journal hook rather than an on_response_prepare signal, which would cost every request.
    app[JOURNAL].clear_listeners.append(tally.clear)
