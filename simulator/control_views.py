"""The control API's views of the journal and its levers (wired by ``control``): health, calls,
events, bills, deliveries, requests, reset, clock, ports, apps and metrics (all under ``/_sim/``,
JSON unless said otherwise).

Errors are ``{"error": "..."}`` with 400 (bad input), 404 (unknown thing or path), 405 (wrong
method) or 409 (not possible in this mode).
"""
from __future__ import annotations

import calendar
import json
import time
from functools import partial
from typing import Any, Awaitable, Callable, Iterable

from aiohttp import web

from .api import fields
from .api._http import PLATFORM
from .api.codes import PlatformError
from .clock import utc_text
from .config import DEMO_DISPLAY_NUMBER, MAX_PORTS, AppConfig
from .engine.call import ALERTING, ANSWERED, CALLOUT, ENDED
from .journal import Journal, call_json
from .metrics import render
from .platform import Platform
from .recorder import JOURNAL, RECOVERED

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_dumps = partial(json.dumps, ensure_ascii=False)
_STATES = (CALLOUT, ALERTING, ANSWERED, ENDED, "live")


class BadInput(Exception):
    """A control request the API refuses with 400 (or ``status``) and this message."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def ok(doc: Any, status: int = 200) -> web.Response:
    """A JSON answer."""
    return web.json_response(doc, status=status, dumps=_dumps)


def error(status: int, message: str) -> web.Response:
    """A JSON error answer."""
    return web.json_response({"error": message, "status": status}, status=status, dumps=_dumps)


def _parts(request: web.Request) -> tuple[Platform, Journal]:
    return request.app[PLATFORM], request.app[JOURNAL]


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


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        raise BadInput(f"body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise BadInput("body must be a JSON object")
    return doc


def _number(doc: dict[str, Any], name: str, lo: float, hi: float) -> float:
    value = doc[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadInput(f"{name} must be a number")
    if not lo <= value <= hi:
        raise BadInput(f"{name} must be between {lo:g} and {hi:g}")
    return value


# -- views -----------------------------------------------------------------------------
async def health(request: web.Request) -> web.Response:
    """``GET /_sim/health``: up, how long, the clock, live calls, what is owed, the journal's disk state."""
    from . import __version__

    platform, journal = _parts(request)
    store = journal.store
    error_text = store.error if store is not None else None
    return ok({
        "status": "degraded" if error_text else "ok", "version": __version__,
        "clock": _clock_doc(platform), "liveCalls": len(platform.engine.live),
        "owedBillMessages": len(platform.delivery.owed),
        "journal": {"dataDir": platform.settings.data_dir, "backlog": store.backlog if store else 0,
                    "error": error_text},
        "recovered": request.app[RECOVERED].to_json(),
    })


async def calls(request: web.Request) -> web.Response:
    """``GET /_sim/calls``: calls, oldest first. Filters: state, callee, caller, appKey, since, until, limit."""
    _, journal = _parts(request)
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
    platform, journal = _parts(request)
    sid = request.match_info["sessionId"]
    call = journal.calls.get(sid) or platform.engine.find(sid)
    if call is None:
        raise BadInput(f"no call with sessionId {sid!r} in the journal", 404)
    pushes = [p for p in platform.delivery.pushes if sid in p.session_ids]
    bill = journal.bill_of(sid)
    attempts = [dict(a.to_json(), pushId=p.id, kind=p.kind, eventType=p.event, url=p.url)
                for p in pushes for a in p.attempts]
    attempts.sort(key=lambda a: a["atEpoch"])
    doc = call_json(call)
    doc.update({
        "timeline": [e.to_json() for e in journal.timeline(sid)],
        "events": [p.to_json() for p in pushes if p.kind == "status"],
        "bill": bill.bill if bill else None,
        "billDeliveries": [_push_summary(p) for p in pushes if p.kind == "bill"],
        "attempts": attempts,
    })
    return ok(doc)


def _push_summary(p: Any) -> dict[str, Any]:
    doc = p.to_json()
    del doc["body"]
    return doc


async def deliveries(request: web.Request) -> web.Response:
    """``GET /_sim/deliveries``: every push and its attempts, oldest first.

    Filters: ``kind`` (status, bill), ``state`` (sending, delivered, failed, retrying,
    given_up, dropped), ``sessionId``, ``limit`` (the newest N).
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
    pushes = _limit(q, pushes)
    return ok({"deliveries": [p.to_json() for p in pushes], "count": len(pushes),
               "owedBills": len(platform.delivery.owed)})


async def events(request: web.Request) -> web.Response:
    """``GET /_sim/events``: status events in order. Filters: sessionId, eventType, since, until, limit."""
    _, journal = _parts(request)
    q = request.query
    items = list(journal.events)
    if "sessionId" in q:
        items = [e for e in items if e.session_id == q["sessionId"]]
    if "eventType" in q:
        items = [e for e in items if e.event == q["eventType"]]
    items = _limit(q, _window(q, items, lambda e: e.at))
    return ok({"events": [e.to_json() for e in items], "count": len(items)})


async def bills(request: web.Request) -> web.Response:
    """``GET /_sim/bills``: bills in order, each with the state of its delivery. Filters: sessionId, state, limit."""
    platform, journal = _parts(request)
    q = request.query
    state_of: dict[str, str] = {}
    for p in platform.delivery.pushes:
        if p.kind == "bill":
            for sid in p.session_ids:
                state_of[sid] = p.state
    items = list(journal.bills)
    if "sessionId" in q:
        items = [b for b in items if b.session_id == q["sessionId"]]
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
    _, journal = _parts(request)
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


async def reset(request: web.Request) -> web.Response:
    """``POST /_sim/reset``: drop live calls (no events, no bills), everything owed, and the journal."""
    platform, journal = _parts(request)
    dropped = platform.engine.drop_all()
    platform.delivery.forget()
    journal.clear()
    return ok({"reset": True, "droppedCalls": len(dropped)})


def _clock_doc(platform: Platform) -> dict[str, Any]:
    clock = platform.clock
    now = clock.now()
    return {"mode": clock.mode, "speed": None if clock.manual else clock.speed, "now": utc_text(now),
            "nowEpoch": round(now, 3), "pending": clock.pending}


async def clock_view(request: web.Request) -> web.Response:
    """``GET /_sim/clock``: mode, speed, simulated now, callbacks pending."""
    return ok(_clock_doc(request.app[PLATFORM]))


async def clock_change(request: web.Request) -> web.Response:
    """``POST /_sim/clock`` with ``{"advance": seconds}`` (manual clock) or ``{"speed": x}`` (real/scaled)."""
    platform = request.app[PLATFORM]
    clock = platform.clock
    doc = await _body(request)
    if ("advance" in doc) == ("speed" in doc):
        raise BadInput('give exactly one of "advance" (seconds) or "speed"')
    if "advance" in doc:
        seconds = _number(doc, "advance", 0, 366 * 86400)
        if not clock.manual:
            raise BadInput(f"the clock is {clock.mode}, not manual: it cannot be advanced (set its speed instead)",
                           409)
        await clock.advance(seconds)
    else:
        speed = _number(doc, "speed", 1e-6, 1e7)
        if clock.manual:
            raise BadInput("the clock is manual: it has no speed (advance it instead)", 409)
        clock.set_speed(speed)
    return ok(_clock_doc(platform))


def _ports_doc(platform: Platform) -> dict[str, Any]:
    ports = platform.ports
    return {"capacity": ports.capacity, "live": ports.live, "idle": ports.idle,
            "byApp": {key: ports.in_use(key) for key in platform.apps if ports.in_use(key)}}


async def ports_view(request: web.Request) -> web.Response:
    """``GET /_sim/ports``: capacity, ports in use, idle ports, use by app."""
    return ok(_ports_doc(request.app[PLATFORM]))


async def ports_change(request: web.Request) -> web.Response:
    """``POST /_sim/ports`` with ``{"capacity": n}``: live calls keep their ports; new ones see the new limit."""
    platform = request.app[PLATFORM]
    doc = await _body(request)
    if "capacity" not in doc:
        raise BadInput('give "capacity": the number of call ports, 0-65535')
    value = doc["capacity"]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PORTS:
        raise BadInput(f"capacity must be an integer 0-{MAX_PORTS}")
    platform.ports.capacity = value
    return ok(_ports_doc(platform))


def _app_doc(app: AppConfig) -> dict[str, Any]:
    return {"key": app.key, "displayNumbers": list(app.display_numbers), "statusUrl": app.status_url,
            "feeUrl": app.fee_url, "quota": app.quota, "spId": app.sp_id}


async def apps_view(request: web.Request) -> web.Response:
    """``GET /_sim/apps``: the apps the simulator accepts (never their secrets)."""
    platform = request.app[PLATFORM]
    return ok({"apps": [_app_doc(a) for a in platform.apps.values()]})


async def apps_register(request: web.Request) -> web.Response:
    """``POST /_sim/apps`` with key, secret and optionally displayNumbers, statusUrl, feeUrl, quota, spId."""
    platform, journal = _parts(request)
    doc = await _body(request)
    for name in ("key", "secret"):
        if not isinstance(doc.get(name), str) or not doc[name]:
            raise BadInput(f'"{name}" is required, a non-empty string')
    numbers = doc.get("displayNumbers", [])
    if not isinstance(numbers, list):
        raise BadInput("displayNumbers must be a list of numbers in global format")
    for n in numbers:
        try:
            fields.number({"displayNumbers": n}, "displayNumbers", required=True)
        except PlatformError as exc:
            raise BadInput(exc.detail + f" (got {n!r})") from None
    for name in ("statusUrl", "feeUrl", "spId"):
        if doc.get(name) is not None and not isinstance(doc[name], str):
            raise BadInput(f"{name} must be a string")
    quota = doc.get("quota")
    if quota is not None and (isinstance(quota, bool) or not isinstance(quota, int) or quota < 0):
        raise BadInput("quota must be a non-negative integer, or null for unlimited")
    app = AppConfig(doc["key"], doc["secret"], tuple(numbers) or (DEMO_DISPLAY_NUMBER,), doc.get("statusUrl"),
                    doc.get("feeUrl"), quota, doc.get("spId") or "voicesim_sp")
    platform.register_app(app)
    if journal.store is not None:
        journal.store.app({"key": app.key, "secret": app.secret, "display_numbers": list(app.display_numbers),
                           "status_url": app.status_url, "fee_url": app.fee_url, "quota": app.quota,
                           "sp_id": app.sp_id})
    return ok(_app_doc(app), 201)


async def metrics(request: web.Request) -> web.Response:
    """``GET /_sim/metrics``: Prometheus text format."""
    platform, journal = _parts(request)
    return web.Response(text=render(platform, journal), content_type="text/plain",
                        headers={"X-Content-Type-Options": "nosniff"}, charset="utf-8")


# -- routing ---------------------------------------------------------------------------
