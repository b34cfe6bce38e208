"""The voice verification-code API: ``POST /rest/httpsessions/callVerify/v1.0`` (spec section 3)."""
from __future__ import annotations

from typing import Any

from ..config import AppConfig
from ..errors import invalid
from ..front import Answer, Request
from ..platform import Platform
from . import fields
from ._http import success
from .endpoint import platform_api


@platform_api()
def call_verify(request: Request, platform: Platform, app: AppConfig, body: dict[str, Any]) -> Answer:
    """Check the request, place the call, answer at once with its ``sessionId``."""
    display = fields.number(body, "displayNbr", required=True)
    callee = fields.number(body, "calleeNbr", required=True)
    language = fields.integer(body, "languageType", 0, 2**31 - 1, required=True)
    if language not in platform.settings.language_types:
        allowed = ", ".join(map(str, platform.settings.language_types))
        raise invalid(f"languageType must be one of {allowed}")
    pre_name = fields.string(body, "preTone", 1, 128, required=True)
    code = fields.digits(body, "verifyCode", 2, 8, required=True)
    pos_name = fields.string(body, "posTone", 1, 128)
    times = fields.integer(body, "times", 0, 9, default=3)
    status_url = fields.base64_url(body, "statusUrl")
    fee_url = fields.base64_url(body, "feeUrl")
    want_idle = fields.flag(body, "returnIdlePort")
    user_data = fields.string(body, "userData", 1, 256)
    call = platform.call_verify(app, display, callee, code, times, pre_name, pos_name, status_url=status_url,
                                fee_url=fee_url, user_data=user_data)
    return success(call.session_id, platform.ports.idle if want_idle else None)
