"""Stop a call: ``POST /rest/httpsessions/callStop/v2.0`` (spec section 5)."""
from __future__ import annotations

from aiohttp import web

from . import fields
from ._http import PLATFORM, answer, authenticate, read_json, refusal
from .codes import PlatformError, invalid

PATH = "/rest/httpsessions/callStop/v2.0"


async def call_stop(request: web.Request) -> web.Response:
    """End a live call of the requesting app at once; its disconnect and bill follow."""
    platform = request.app[PLATFORM]
    try:
        app = authenticate(request, platform)
    except PlatformError as exc:
        return refusal(exc)
    try:
        gate = platform.scenarios.gate  # API chaos of the active scenario; None costs one check
        if gate is not None:
            await gate.admit()
        body = await read_json(request, platform.settings.max_body)
        session_id = fields.string(body, "sessionid", 1, 256, required=True)
        if body.get("signal") != "call_stop":
            raise invalid('signal must be "call_stop"')
        call = platform.engine.live.get(session_id)  # type: ignore[arg-type]
        if call is None or call.app.key != app.key:  # another app's call is none of this app's business
            raise PlatformError(1020152, "The call does not exist or has already ended.")
        platform.engine.stop_call(call.session_id)
    except PlatformError as exc:
        return refusal(exc)
    return answer({"resultcode": "0", "resultdesc": "Success"})
