"""Placing the notification and callback calls: each service builds its script in one place.

The API modules check requests and call these; tests and other fronts may call them
directly with a ``Platform``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from .config import AppConfig
from .engine.call import SERVICE_CALLBACK, SERVICE_NOTIFY, Call
from .engine.scripts import Play, callback_script, notify_script
from .media import Media

if TYPE_CHECKING:
    from .platform import Platform


@dataclass(slots=True)
class Leg:
    """The callback's second leg: what B sees (``display``) and B's number."""

    display: str
    callee: str


def start_notify(platform: Platform, app: AppConfig, display: str, callee: str, plays: Sequence[Play], *,
                 digits: Sequence[str] | None = None, status_url: str | None = None,
                 fee_url: str | None = None, user_data: str | None = None) -> Call:
    """Place a notification call playing ``plays``; ``digits`` script each collection of this call."""
    s = platform.settings
    queued = list(digits or ())

    def press(collect_ind: int) -> str:
        return queued.pop(0)[:collect_ind] if queued else platform.digits.draw(collect_ind)

    plan = notify_script(s.alert_after, s.answer_after, plays, press, s.collect_after, s.collect_window,
                         s.collect_replays)
    shaped = platform.shape_call(SERVICE_NOTIFY, callee, user_data, plan.script)  # the active scenarios' say
    call = platform.engine.start_call(app, SERVICE_NOTIFY, display, callee, shaped.script, user_data=user_data,
                                      status_url=status_url, fee_url=fee_url, chaos=shaped.chaos)
    if shaped.talk is not None:  # an unanswered call speaks nothing
        call.tts_plays = plan.tts_plays
        call.tts_seconds = plan.tts_seconds
    return call


def start_callback(platform: Platform, app: AppConfig, display: str, caller: str, leg: Leg, *,
                   max_minutes: int = 0, pre_voice: Media | None = None, record: bool = False,
                   party_type: bool = False, base_url: str = "", status_url: str | None = None,
                   fee_url: str | None = None, user_data: str | None = None) -> Call:
    """Call A (``caller``, showing ``display``), then B; the bill carries B's leg.

    ``base_url`` is the platform's own address, for the bill's ``recordFileDownloadUrl``.
    """
    s = platform.settings
    script = callback_script(s.alert_after, s.answer_after, pre_voice.duration if pre_voice else 0.0,
                             s.callback_talk, max_minutes * 60.0)
    extra: dict[str, Any] = {"leg": (leg.display, leg.callee),
                             "bill": {"fwdDisplayNum": leg.display, "fwdDstNum": leg.callee}}
    if record and app.can_record:
        extra["record_base"] = base_url  # recording starts when B answers (engine/legs.py)
    if party_type:
        extra["disconnect"] = {"partyType": 1}
    shaped = platform.shape_call(SERVICE_CALLBACK, caller, user_data, script)  # scenarios match A, the first leg
    return platform.engine.start_call(app, SERVICE_CALLBACK, display, caller, shaped.script, user_data=user_data,
                                      status_url=status_url, fee_url=fee_url, extra=extra, chaos=shaped.chaos)


def on_record(platform: Platform, call: Call) -> None:
    """The legs of ``call`` were bridged and it records: register its recording."""
    s = platform.settings
    platform.recordings.add(call, s.record_domain, s.record_bucket, call.extra["record_base"],  # type: ignore[index]
                            platform.clock.now())

