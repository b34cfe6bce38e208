"""The control API's views of the journal and the platform: health, calls, events, bills, deliveries, requests.

All under ``/_sim/``, JSON, read only; ``routes`` declares their paths and ``guard``
renders their refusals.
"""
from __future__ import annotations

import calendar
import time
from typing import Any, Callable, Iterable

from aiohttp import web

from ..clock import utc_text
from ..delivery import Push
from ..engine import ALERTING, ANSWERED, CALLOUT, ENDED
from ..journal import call_json, pace
from ..platform import Platform
from ..version import __version__
from .guard import BadInput, ok
from .keys import RECOVERED, parts

_STATES = (CALLOUT, ALERTING, ANSWERED, ENDED, "live")


# -- query helpers ---------------------------------------------------------------------
def _time(q: Any, name: str) -> float | None:
    """``since``/``until``: epoch seconds, or ``YYYY-MM-DD HH:MM:SS`` (also with ``T``) in UTC."""
    text = q.get(name)
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return float(calendar.timegm(time.strptime(text.replace("T", " ").rstrip("Z"), "%Y-%m-%d %H:%M:%S")))
    except ValueError:
        raise BadInput(f"{name} must be epoch seconds or YYYY-MM-DD HH:MM:SS (UTC), got {text!r}") from None


def _limit(q: Any, items: list[Any]) -> list[Any]:
    if "limit" not in q:
        return items
    try:
        limit = int(q["limit"])
    except ValueError:
        raise BadInput("limit must be an integer") from None
    return items[-limit:] if limit > 0 else []


def _window(q: Any, items: Iterable[Any], at: Callable[[Any], float]) -> list[Any]:
    since, until = _time(q, "since"), _time(q, "until")
    out = list(items)
    if since is not None:
        out = [i for i in out if at(i) >= since]
    if until is not None:
        out = [i for i in out if at(i) <= until]
    return out


# -- views -----------------------------------------------------------------------------
async def health(request: web.Request) -> web.Response:
    """``GET /_sim/health``: up, the clock and how late its events run, live calls, the push backlog, what is
    owed, the journal's disk state."""
    platform, journal = parts(request)
    store = journal.store
    problem = store.degraded if store is not None else None
    disk: dict[str, Any] = {"dataDir": platform.settings.data_dir, "backlog": 0, "error": problem,
                            "failing": False, "writeErrors": 0, "entriesLost": 0}
    if store is not None:
        disk.update(backlog=store.backlog, failing=store.failing, writeErrors=store.write_errors,
                    entriesLost=store.entries_lost)
    return ok({
        "status": "degraded" if problem else "ok", "version": __version__,
        "clock": clock_doc(platform), "liveCalls": len(platform.engine.live), **pace(platform),
        "owedBillMessages": len(platform.delivery.owed),
        "journal": disk,
        "recovered": request.app[RECOVERED].to_json(),
    })


async def calls(request: web.Request) -> web.Response:
    """``GET /_sim/calls``: calls, oldest first. Filters: state, callee, caller, appKey, since, until, limit."""
    _, journal = parts(request)
    q = request.query
    items = list(journal.calls.values())
    state = q.get("state")
    if state is not None:
        if state not in _STATES:
            raise BadInput(f"state must be one of {', '.join(_STATES)}")
        items = [c for c in items if (c.state != ENDED if state == "live" else c.state == state)]
    for name, attr in (("callee", "callee"), ("caller", "caller")):
        if name in q:
            items = [c for c in items if getattr(c, attr) == q[name]]
    if "appKey" in q:
        items = [c for c in items if c.app.key == q["appKey"]]
    items = _limit(q, _window(q, items, lambda c: c.start))
    return ok({"calls": [call_json(c) for c in items], "count": len(items)})


async def call_detail(request: web.Request) -> web.Response:
    """``GET /_sim/calls/{sessionId}``: the call, its timeline, pushed events, bill and delivery attempts."""
    platform, journal = parts(request)
    sid = request.match_info["sessionId"]
    call = journal.calls.get(sid) or platform.engine.find(sid)
    if call is None:
        raise BadInput(f"no call with sessionId {sid!r} in the journal", 404)
    pushes = [p for p in platform.delivery.pushes if sid in p.session_ids]
    bill = journal.bill_of(sid)
    in_order = sorted(((p, a) for p in pushes for a in p.attempts), key=lambda pa: pa[1].at)
    attempts = [dict(a.to_json(), pushId=p.id, kind=p.kind, eventType=p.event, url=p.url) for p, a in in_order]
    doc = call_json(call)
    doc.update({
        "timeline": [e.to_json() for e in journal.timeline(sid)],
        "events": [p.to_json() for p in pushes if p.kind == "status"],
        "bill": bill.bill if bill else None,
        "billDeliveries": [_push_summary(p) for p in pushes if p.kind == "bill"],
        "attempts": attempts,
    })
    return ok(doc)


def _push_summary(p: Push) -> dict[str, Any]:
    doc = p.to_json()
    del doc["body"]
    return doc


async def deliveries(request: web.Request) -> web.Response:
    """``GET /_sim/deliveries``: every push and its attempts, oldest first.

    Filters: ``kind`` (status, bill), ``state`` (sending, delivered, failed, retrying,
    given_up, dropped), ``sessionId``, ``limit`` (the newest N).
    """
    platform = parts(request)[0]
    q = request.query
    pushes = list(platform.delivery.pushes)
    if "kind" in q:
        pushes = [p for p in pushes if p.kind == q["kind"]]
    if "state" in q:
        pushes = [p for p in pushes if p.state == q["state"]]
    if "sessionId" in q:
        pushes = [p for p in pushes if q["sessionId"] in p.session_ids]
    pushes = _limit(q, pushes)
    return ok({"deliveries": [p.to_json() for p in pushes], "count": len(pushes),
               "owedBills": len(platform.delivery.owed)})


async def events(request: web.Request) -> web.Response:
    """``GET /_sim/events``: status events in order. Filters: sessionId, eventType, since, until, limit."""
    _, journal = parts(request)
    q = request.query
    # by session: only its entries are built (the journal keeps them by column)
    items = list(journal.events.matching(0, q["sessionId"]) if "sessionId" in q else journal.events)
    if "eventType" in q:
        items = [e for e in items if e.event == q["eventType"]]
    items = _limit(q, _window(q, items, lambda e: e.at))
    return ok({"events": [e.to_json() for e in items], "count": len(items)})


async def bills(request: web.Request) -> web.Response:
    """``GET /_sim/bills``: bills in order, each with the state of its delivery. Filters: sessionId, state, limit."""
    platform, journal = parts(request)
    q = request.query
    state_of: dict[str, str] = {}
    for p in platform.delivery.pushes:
        if p.kind == "bill":
            for sid in p.session_ids:
                state_of[sid] = p.state
    items = list(journal.bills.matching(0, q["sessionId"]) if "sessionId" in q else journal.bills)
    docs = []
    for b in items:
        doc = b.to_json()
        doc["delivery"] = state_of.get(b.session_id, "no_url" if not b.url else "waiting")
        docs.append(doc)
    if "state" in q:
        docs = [d for d in docs if d["delivery"] == q["state"]]
    docs = _limit(q, docs)
    return ok({"bills": docs, "count": len(docs), "owedBillMessages": len(platform.delivery.owed)})


async def requests(request: web.Request) -> web.Response:
    """``GET /_sim/requests``: platform API requests and their answers. Filters: path, resultcode, status, limit."""
    _, journal = parts(request)
    q = request.query
    items = list(journal.requests)
    if "path" in q:
        items = [r for r in items if r.path == q["path"]]
    if "resultcode" in q:
        items = [r for r in items if r.resultcode == q["resultcode"]]
    if "status" in q:
        items = [r for r in items if str(r.status) == q["status"]]
    items = _limit(q, _window(q, items, lambda r: r.at))
    return ok({"requests": [r.to_json() for r in items], "count": len(items)})


def clock_doc(platform: Platform) -> dict[str, Any]:
    """The clock as health and /_sim/clock show it: mode, speed, simulated now, callbacks pending."""
    clock = platform.clock
    now = clock.now()
    return {"mode": clock.mode, "speed": None if clock.manual else clock.speed, "now": utc_text(now),
            "nowEpoch": round(now, 3), "pending": clock.pending}
