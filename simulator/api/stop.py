"""Stop a call: ``POST /rest/httpsessions/callStop/v2.0`` (spec section 5)."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from ..config import AppConfig
from ..platform import Platform
from . import fields
from ._http import answer, platform_api
from .codes import PlatformError, invalid

PATH = "/rest/httpsessions/callStop/v2.0"


@platform_api(session_id=False)
def call_stop(request: web.Request, platform: Platform, app: AppConfig, body: dict[str, Any]) -> web.Response:
    """End a live call of the requesting app at once; its disconnect and bill follow."""
    session_id = fields.string(body, "sessionid", 1, 256, required=True)
    if body.get("signal") != "call_stop":
        raise invalid('signal must be "call_stop"')
    call = platform.engine.live.get(session_id)  # type: ignore[arg-type]
    if call is None or call.app.key != app.key:  # another app's call is none of this app's business
        raise PlatformError(1020152, "The call does not exist or has already ended.")
    platform.engine.stop_call(call.session_id)
    return answer({"resultcode": "0", "resultdesc": "Success"})
