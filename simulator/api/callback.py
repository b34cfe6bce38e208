"""The voice callback API: ``POST /rest/httpsessions/click2Call/v2.0`` (spec section 5)."""
from __future__ import annotations

from typing import Any

from ..config import AppConfig
from ..engine import Leg
from ..errors import invalid
from ..front import Answer, Request
from ..platform import Platform
from . import fields
from ._http import origin_of, success
from .endpoint import platform_api


@platform_api()
def click_to_call(request: Request, platform: Platform, app: AppConfig, body: dict[str, Any]) -> Answer:
    """Check the request, place the call to A, answer at once with its ``sessionId``."""
    display = fields.number(body, "displayNbr", required=True)
    caller = fields.number(body, "callerNbr", required=True)
    display_callee = fields.number(body, "displayCalleeNbr", required=True)
    callee = fields.number(body, "calleeNbr", required=True)
    max_minutes = fields.integer(body, "maxDuration", 0, 1440, default=0)
    last_min_voice = fields.string(body, "lastMinVoice", 1, 128)
    fields.choice(body, "lastMinToUE", ("toa", "tob", "both"))
    play_pre_voice = fields.flag(body, "playPreVoice")
    pre_voice_name = fields.string(body, "preVoice", 1, 128)
    wait_voice = fields.string(body, "waitVoice", 1, 128)
    fields.choice(body, "calleeMedia", ("all", "none", "fail"))
    record = fields.flag(body, "recordFlag")
    hint_tone = fields.string(body, "recordHintTone", 1, 128)
    party_type = fields.flag(body, "partyTypeRequiredInDisconnect")
    status_url = fields.base64_url(body, "statusUrl")
    fee_url = fields.base64_url(body, "feeUrl")
    want_idle = fields.flag(body, "returnIdlePort")
    user_data = fields.string(body, "userData", 1, 256)
    if play_pre_voice and pre_voice_name is None:
        raise invalid('preVoice is required when playPreVoice is "true"')
    voices = [n for n in (last_min_voice, wait_voice, hint_tone, pre_voice_name) if n is not None]
    call = platform.click_to_call(app, display, caller, Leg(display_callee, callee), max_minutes=max_minutes,
                                  pre_voice=pre_voice_name if play_pre_voice else None, voices=voices,
                                  record=record, party_type=party_type, base_url=origin_of(request),
                                  status_url=status_url, fee_url=fee_url, user_data=user_data)
    return success(call.session_id, platform.ports.idle if want_idle else None)
