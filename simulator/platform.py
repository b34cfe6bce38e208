"""The simulated platform as one backend object: state and rules, no HTTP.

The API layer translates requests into calls on it; tests, the demo and the pytest
plugin can drive it directly.
"""
from __future__ import annotations

import math
from typing import Any

from . import services
from .auth import Verifier
from .clock import Clock
from .config import AppConfig, Settings
from .delivery import Delivery, DeliveryPolicy
from .digits import DigitSource
from .engine import Call, Engine, PortPool, legs
from .engine.call import SERVICE_VERIFY, Step
from .engine.scripts import code_playback
from .media import Media, MediaLibrary
from .outcomes import Timing, reshape
from .recordings import Recordings
from .scenarios import load_all
from .selection import DEFAULT, CallPlan, ScenarioSet


class Platform:
    """Apps, media, the port pool, the call engine and delivery, wired together."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock(speed=settings.speed, manual=settings.manual_clock)
        self.apps: dict[str, AppConfig] = {}
        self.verifier = Verifier({}, settings.auth_window, settings.reject_replay, settings.accept_beijing_time)
        for app in settings.apps():
            self.register_app(app)
        self.media = MediaLibrary.of(list(settings.media))
        self.ports = PortPool(settings.call_ports)
        self.delivery = Delivery(self.clock, DeliveryPolicy(
            timeout=settings.push_timeout, newlines=settings.push_newlines,
            retry_interval=settings.bill_retry_interval, max_retries=settings.bill_max_retries,
            merge_delay=settings.bill_merge_delay, keep=settings.keep_deliveries))
        self.engine = Engine(self.clock, self.ports, self.delivery, settings.host_name)
        self.recordings = Recordings(settings.record_keep)
        self.digits = DigitSource(settings.collect_digits, settings.digits_seed)
        legs.register(self.engine, lambda call: services.on_record(self, call))
        # Raises ScenarioError (a ValueError naming file, line, field) rather than half-running.
        self.scenarios = ScenarioSet(self.clock, self.ports, Timing(settings.alert_after, settings.answer_after),
                                     load_all(settings.scenarios, settings.seed), settings.seed)

    def register_app(self, app: AppConfig) -> None:
        """Add or replace an app; requests signed with its key are accepted from now on."""
        self.apps[app.key] = app
        self.verifier.secrets[app.key] = app.secret

    async def start(self) -> None:
        """Open the delivery session and start the clock's timer."""
        await self.delivery.start()
        self.clock.start()

    async def close(self) -> None:
        """Finish running pushes, then close the delivery session."""
        await self.clock.close()
        await self.delivery.close()

    def start_verify(self, app: AppConfig, display: str, callee: str, code: str, times: int, pre_tone: Media,
                     pos_tone: Media | None = None, *, status_url: str | None = None, fee_url: str | None = None,
                     user_data: str | None = None) -> Call:
        """Place a verification-code call: pre-tone, the code ``times`` times, then the post-tone."""
        s = self.settings
        plays, speech = code_playback(len(code), times, s.digit_seconds, s.code_gap, s.loop_plays)
        talk = round(pre_tone.duration + speech + (pos_tone.duration if pos_tone else 0.0), 3)
        plan = self.plan_call(SERVICE_VERIFY, callee, user_data, talk)
        call = self.engine.start_call(app, SERVICE_VERIFY, display, callee, plan.script, user_data=user_data,
                                      status_url=status_url, fee_url=fee_url, chaos=plan.chaos)
        heard = plan.talk or 0.0  # an unanswered call speaks nothing; a short one part of the code
        if heard >= talk:
            call.tts_plays, call.tts_seconds = plays, speech
        elif heard > pre_tone.duration and speech > 0:
            call.tts_seconds = round(min(speech, heard - pre_tone.duration), 3)
            call.tts_plays = min(plays, math.ceil(call.tts_seconds * plays / speech))
        return call

    # -- scenarios ------------------------------------------------------------------
    def plan_call(self, service: str, callee: str, user_data: str | None, talk_seconds: float) -> CallPlan:
        """What a new call will do, as the active scenarios decide (first match wins, else the default).

        ``talk_seconds``: how long the platform plays after the answer before it hangs up
        itself. The plan's ``script`` is a Step script for ``engine.start_call``; its
        ``chaos`` goes on ``Call.chaos`` so delivery applies the scenario's push chaos;
        its ``talk`` is the answered seconds (None when the call will not be answered).
        """
        return self.scenarios.plan(service, callee, user_data, talk_seconds)

    def place_call(self, app: AppConfig, service: str, display: str, callee: str, plan: CallPlan, *,
                   user_data: str | None = None, status_url: str | None = None, fee_url: str | None = None,
                   record: bool = False, extra: dict[str, Any] | None = None) -> Call:
        """Start a call that plays ``plan`` (from ``plan_call``) with its push chaos; raises port errors.

        ``user_data`` should be the one the plan was made for.
        """
        return self.engine.start_call(app, service, display, callee, plan.script, user_data=user_data,
                                      status_url=status_url, fee_url=fee_url, record=record, extra=extra,
                                      chaos=plan.chaos)

    def shape_call(self, service: str, callee: str, user_data: str | None, script: tuple[Step, ...]) -> CallPlan:
        """``plan_call`` for a service with its own script (ring, answer, then its steps).

        Calls no scenario takes keep ``script``; an unanswered outcome replaces it; an
        answered one keeps its steps with the scenario's timings, cut short by a ``talk``.
        """
        playback = round(sum(step.delay for step in script[2:]), 3)
        plan = self.scenarios.plan(service, callee, user_data, playback)
        if plan.chaos is None and plan.scenario == DEFAULT:
            return CallPlan(script, None, playback, DEFAULT)
        return CallPlan(reshape(plan.script, plan.talk, script), plan.chaos, plan.talk, plan.scenario)

    def activate_scenario(self, *names: str) -> None:
        """Make the named scenarios (loaded at start or shipped) the active ones, first match first.

        Their API and port chaos timelines restart now; port capacity returns to the
        configured value first. No names: only the default (everything answered) is left.
        """
        self.scenarios.activate(list(names))
