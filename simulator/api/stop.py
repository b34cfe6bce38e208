"""Stop a call: ``POST /rest/httpsessions/callStop/v2.0`` (spec section 5)."""
from __future__ import annotations

from typing import Any

from ..config import AppConfig
from ..errors import invalid
from ..front import Answer, Request
from ..platform import Platform
from . import fields
from ._http import answer
from .endpoint import platform_api


@platform_api(session_id=False)
def call_stop(request: Request, platform: Platform, app: AppConfig, body: dict[str, Any]) -> Answer:
    """End a live call of the requesting app at once; its disconnect and bill follow."""
    session_id = fields.string(body, "sessionid", 1, 256, required=True)
    if body.get("signal") != "call_stop":
        raise invalid('signal must be "call_stop"')
    platform.call_stop(app, session_id)
    return answer({"resultcode": "0", "resultdesc": "Success"})
