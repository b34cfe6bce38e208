"""The voice notification API: ``POST /rest/httpsessions/callnotify/v2.0`` (spec section 4).

The official samples still post to ``v1.0``; both paths are served the same way.
"""
from __future__ import annotations

from typing import Any

from ..config import AppConfig
from ..engine import Play
from ..errors import PlatformError, invalid
from ..front import Answer, Request
from ..media import fill
from ..platform import Platform
from . import fields
from ._http import success
from .endpoint import platform_api

MAX_PLAYS = 5


def _play(platform: Platform, item: Any) -> Play:
    """One ``playInfoList`` item checked; errors name the field without its list prefix."""
    if not isinstance(item, dict):
        raise invalid("must be an object")
    voice = fields.string(item, "notifyVoice", 1, 128)
    template_id = fields.string(item, "templateId", 1, 128)
    if (voice is None) == (template_id is None):
        raise invalid("must have exactly one of notifyVoice and templateId")
    paras = item.get("templateParas")
    if paras is not None and (not isinstance(paras, list) or not all(isinstance(p, str) for p in paras)):
        raise invalid("templateParas must be a list of strings")
    collect = fields.integer(item, "collectInd", 0, 32, default=0)
    replay = fields.flag(item, "replayAfterCollection")
    trigger = fields.digits(item, "collectContentTriggerReplaying", 1, 32)
    if voice is not None:
        if paras is not None:
            raise invalid("templateParas goes with templateId, not notifyVoice")
        media = platform.media.approved(voice)
    else:
        assert template_id is not None
        media = platform.media.approved(template_id, "template")
        try:
            fill(media.text, paras or [])
        except ValueError as exc:
            raise invalid(f"templateParas {exc}") from None
    return Play(media.duration, collect or 0, trigger if (collect and replay) else None, tts=template_id is not None)


def _plays(platform: Platform, body: dict[str, Any]) -> list[Play]:
    items = body.get("playInfoList")
    if items is None:
        raise invalid("playInfoList is required")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_PLAYS:
        raise invalid(f"playInfoList must be a list of 1-{MAX_PLAYS} items")
    out = []
    for i, item in enumerate(items):
        try:
            out.append(_play(platform, item))
        except PlatformError as exc:
            if exc.code != 1010002 or exc.detail.endswith("does not exist"):
                raise  # the platform names a missing file bare: "Invalid request.x.wav does not exist"
            raise invalid(f"playInfoList[{i}].{exc.detail}") from None
    return out


@platform_api()
def call_notify(request: Request, platform: Platform, app: AppConfig, body: dict[str, Any]) -> Answer:
    """Check the request, place the call, answer at once with its ``sessionId``."""
    display = fields.number(body, "displayNbr", required=True)
    callee = fields.number(body, "calleeNbr", required=True)
    plays = _plays(platform, body)
    status_url = fields.base64_url(body, "statusUrl")
    fee_url = fields.base64_url(body, "feeUrl")
    want_idle = fields.flag(body, "returnIdlePort")
    user_data = fields.string(body, "userData", 1, 256)
    call = platform.call_notify(app, display, callee, plays, status_url=status_url, fee_url=fee_url,
                                user_data=user_data)
    return success(call.session_id, platform.ports.idle if want_idle else None)
