"""The control API's levers: reset, the clock, the port capacity, apps registered at run time."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from ..config import DEMO_DISPLAY_NUMBER, MAX_PORTS, MAX_SPEED, MIN_SPEED, AppConfig, SettingError
from ..inputs import InputError, finite
from ..journal import unstorable
from ..platform import Platform
from .guard import BadInput, ok, read_body
from .keys import parts
from .views import clock_doc


def _number(doc: dict[str, Any], name: str, lo: float, hi: float) -> float:
    try:
        return finite(doc[name], lo, hi)
    except InputError as exc:
        raise BadInput(f"{name} {exc}") from None


async def reset(request: web.Request) -> web.Response:
    """``POST /_sim/reset``: drop live calls (no events, no bills), everything owed, and the journal."""
    platform, journal = parts(request)
    await read_body(request)  # none is needed, but a body that is not JSON is refused like everywhere else
    dropped = platform.engine.drop_all()
    platform.delivery.forget()
    journal.clear()
    return ok({"reset": True, "droppedCalls": len(dropped)})


async def clock_view(request: web.Request) -> web.Response:
    """``GET /_sim/clock``: mode, speed, simulated now, callbacks pending."""
    return ok(clock_doc(parts(request)[0]))


async def clock_change(request: web.Request) -> web.Response:
    """``POST /_sim/clock`` with ``{"advance": seconds}`` (manual clock) or ``{"speed": x}`` (real/scaled)."""
    platform = parts(request)[0]
    clock = platform.clock
    doc = await read_body(request)
    if ("advance" in doc) == ("speed" in doc):
        raise BadInput('give exactly one of "advance" (seconds) or "speed"')
    if "advance" in doc:
        seconds = _number(doc, "advance", 0.0, 366 * 86400.0)
        if not clock.manual:
            raise BadInput(f"the clock is {clock.mode}, not manual: it cannot be advanced (set its speed instead)",
                           409)
        await clock.advance(seconds)
    else:
        speed = _number(doc, "speed", MIN_SPEED, MAX_SPEED)
        if clock.manual:
            raise BadInput("the clock is manual: it has no speed (advance it instead)", 409)
        clock.set_speed(speed)
    return ok(clock_doc(platform))


def _ports_doc(platform: Platform) -> dict[str, Any]:
    ports = platform.ports
    return {"capacity": ports.capacity, "live": ports.live, "idle": ports.idle,
            "byApp": {key: ports.in_use(key) for key in platform.apps if ports.in_use(key)}}


async def ports_view(request: web.Request) -> web.Response:
    """``GET /_sim/ports``: capacity, ports in use, idle ports, use by app."""
    return ok(_ports_doc(parts(request)[0]))


async def ports_change(request: web.Request) -> web.Response:
    """``POST /_sim/ports`` with ``{"capacity": n}``: live calls keep their ports; new ones see the new limit."""
    platform = parts(request)[0]
    doc = await read_body(request)
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
    platform = parts(request)[0]
    return ok({"apps": [_app_doc(a) for a in platform.apps.values()]})


async def apps_register(request: web.Request) -> web.Response:
    """``POST /_sim/apps`` with key, secret and optionally displayNumbers, statusUrl, feeUrl, quota, spId."""
    platform, journal = parts(request)
    doc = await read_body(request)
    for name in ("key", "secret"):
        if not isinstance(doc.get(name), str) or not doc[name]:
            raise BadInput(f'"{name}" is required, a non-empty string')
    numbers = doc.get("displayNumbers", [])
    if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
        raise BadInput("displayNumbers must be a list of numbers in global format")
    for name in ("statusUrl", "feeUrl", "spId"):
        if doc.get(name) is not None and not isinstance(doc[name], str):
            raise BadInput(f"{name} must be a string")
    quota = doc.get("quota")
    if quota is not None and (isinstance(quota, bool) or not isinstance(quota, int)):
        raise BadInput("quota must be a non-negative integer, or null for unlimited")
    app = AppConfig(doc["key"], doc["secret"], tuple(numbers) or (DEMO_DISPLAY_NUMBER,), doc.get("statusUrl"),
                    doc.get("feeUrl"), quota, doc.get("spId") or "voicesim_sp")
    try:
        app.check()  # what is kept, signed and pushed must be storable and sendable: refused now, not later
    except SettingError as exc:
        raise BadInput(f"{_camel(exc.path)} {exc.message}") from None
    stored = {"key": app.key, "secret": app.secret, "display_numbers": list(app.display_numbers),
              "status_url": app.status_url, "fee_url": app.fee_url, "quota": app.quota, "sp_id": app.sp_id}
    why = unstorable(stored)
    if why is not None:  # refused before it enters state: it could be neither journaled nor pushed
        raise BadInput(f"the app cannot be kept: it holds {why}")
    platform.register_app(app)
    if journal.store is not None:
        journal.store.app(stored)
        await journal.store.synced()
    return ok(_app_doc(app), 201)


def _camel(path: tuple[str | int, ...]) -> str:
    """An AppConfig field path as the control API names it: ``("display_numbers", 0)`` -> ``displayNumbers[0]``."""
    head, *rest = path
    words = str(head).split("_")
    return words[0] + "".join(w.title() for w in words[1:]) + "".join(f"[{i}]" for i in rest)
