"""The simulated platform as one backend object: state and rules, no HTTP.

One method per platform API (``call_verify``, ``call_notify``, ``click_to_call``,
``call_stop``, ``record_url``): the API layer checks a request's fields and calls
the method; tests, the demo and the pytest plugin can drive it directly. Each
method raises ``PlatformError`` for the platform's refusals.
"""
from __future__ import annotations

from typing import Sequence

from .auth import Verifier
from .clock import Clock
from .config import AppConfig, Settings
from .delivery import Delivery, DeliveryPolicy
from .engine import (
    SERVICE_CALLBACK,
    SERVICE_NOTIFY,
    SERVICE_VERIFY,
    Call,
    DigitSource,
    Engine,
    Leg,
    Play,
    PortPool,
    Step,
    callback_script,
    code_playback,
    legs,
    notify_script,
    plays_heard,
)
from .errors import PlatformError
from .media import MediaLibrary
from .recordings import Recording, Recordings
from .scenarios import DEFAULT, CallPlan, ScenarioSet, Timing, load_all, reshape
from .tls import push_context


class Platform:
    """Apps, media, the port pool, the call engine and delivery, wired together."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock(speed=settings.speed, manual=settings.manual_clock,
                                    max_step=settings.clock_max_step)
        self.apps: dict[str, AppConfig] = {}
        self.verifier = Verifier({}, settings.auth_window, settings.reject_replay, settings.accept_beijing_time)
        for app in settings.apps():
            self.register_app(app)
        self.media = MediaLibrary.of(list(settings.media))
        self.ports = PortPool(settings.call_ports)
        self.delivery = Delivery(self.clock, DeliveryPolicy(
            timeout=settings.push_timeout, newlines=settings.push_newlines,
            retry_interval=settings.bill_retry_interval, max_retries=settings.bill_max_retries,
            merge_delay=settings.bill_merge_delay, keep=settings.keep_deliveries,
            ssl=push_context(settings.push_ca_file), queue=settings.push_queue,
            senders=settings.push_senders))
        self.engine = Engine(self.clock, self.ports, self.delivery, settings.host_name)
        self.recordings = Recordings(settings.record_keep)
        self.digits = DigitSource(settings.collect_digits, settings.digits_seed)
        legs.register(self.engine, self._on_record)
        # Raises ScenarioError (a ValueError naming file, line, field) rather than half-running.
        self.scenarios = ScenarioSet(self.clock, self.ports, Timing(settings.alert_after, settings.answer_after),
                                     load_all(settings.scenarios, settings.seed), settings.seed)

    def register_app(self, app: AppConfig) -> None:
        """Add or replace an app; requests signed with its key are accepted from now on."""
        self.apps[app.key] = app
        self.verifier.secrets[app.key] = app.secret

    async def start(self) -> None:
        """Start the clock's timer (connections to each SP open as its pushes need them)."""
        self.clock.start()

    async def close(self) -> None:
        """Shut down in bounded time: send nothing more, let the pushes on the wire finish (each within the
        push timeout), close the connections. Bills still waiting stay owed (re-pushed after a restart)."""
        self.delivery.stop()
        await self.clock.close()
        self.delivery.close()

    # -- the platform's APIs ---------------------------------------------------------
    def call_verify(self, app: AppConfig, display: str, callee: str, code: str, times: int, pre_tone: str,
                    pos_tone: str | None = None, *, status_url: str | None = None, fee_url: str | None = None,
                    user_data: str | None = None) -> Call:
        """Place a verification-code call: pre-tone, the code ``times`` times, then the post-tone."""
        pre = self.media.approved(pre_tone)
        pos = self.media.approved(pos_tone) if pos_tone is not None else None
        self._own_number(app, display)
        s = self.settings
        plays, speech = code_playback(len(code), times, s.digit_seconds, s.code_gap, s.loop_plays)
        talk = round(pre.duration + speech + (pos.duration if pos else 0.0), 3)
        plan = self.scenarios.plan(callee, user_data, talk)
        call = self.engine.start_call(app, SERVICE_VERIFY, display, callee, plan.script, user_data=user_data,
                                      status_url=status_url, fee_url=fee_url, chaos=plan.chaos)
        heard = (plan.talk or 0.0) - pre.duration  # an unanswered call speaks nothing; a short one part of the code
        if heard > 0 and speech > 0:
            # all of it heard: ``speech`` itself (rounded already), one float the calls alike share
            call.tts_seconds = speech if heard >= speech else round(heard, 3)
            call.tts_plays = plays_heard(plays, speech, call.tts_seconds)
        return call

    def call_notify(self, app: AppConfig, display: str, callee: str, plays: Sequence[Play], *,
                    status_url: str | None = None, fee_url: str | None = None,
                    user_data: str | None = None) -> Call:
        """Place a notification call playing ``plays``; the users' digits come from ``digits``."""
        self._own_number(app, display)
        s = self.settings
        plan = notify_script(s.alert_after, s.answer_after, plays, self.digits.draw, s.collect_after,
                             s.collect_window, s.collect_replays)
        shaped = self._shape(callee, user_data, plan.script)  # the active scenarios' say
        call = self.engine.start_call(app, SERVICE_NOTIFY, display, callee, shaped.script, user_data=user_data,
                                      status_url=status_url, fee_url=fee_url, chaos=shaped.chaos)
        if shaped.talk is not None:  # an unanswered call speaks nothing
            call.tts_plays = plan.tts_plays
            call.tts_seconds = plan.tts_seconds
        return call

    def click_to_call(self, app: AppConfig, display: str, caller: str, leg: Leg, *, max_minutes: int = 0,
                      pre_voice: str | None = None, voices: Sequence[str] = (), record: bool = False,
                      party_type: bool = False, base_url: str = "", status_url: str | None = None,
                      fee_url: str | None = None, user_data: str | None = None) -> Call:
        """Call A (``caller``, showing ``display``), then B (``leg``); the bill carries B's leg.

        ``voices``: other audio files the request names, which must be approved too;
        ``pre_voice``: played to A before B is called. ``base_url`` is the platform's own
        address, for the bill's ``recordFileDownloadUrl``.
        """
        for name in voices:
            self.media.approved(name)
        pre = self.media.approved(pre_voice) if pre_voice is not None else None
        self._own_number(app, display)
        self._own_number(app, leg.display)
        s = self.settings
        script = callback_script(s.alert_after, s.answer_after, pre.duration if pre else 0.0, s.callback_talk,
                                 max_minutes * 60.0)
        shaped = self._shape(caller, user_data, script)  # scenarios match A, the first leg
        record_base = base_url if record and app.can_record else None  # recording starts when B answers
        return self.engine.start_call(app, SERVICE_CALLBACK, display, caller, shaped.script, user_data=user_data,
                                      status_url=status_url, fee_url=fee_url, leg=leg, record_base=record_base,
                                      party_type=party_type, chaos=shaped.chaos)

    def call_stop(self, app: AppConfig, session_id: str) -> Call:
        """End a live call of ``app`` at once; its disconnect and bill follow. 1020152 for any other."""
        call = self.engine.live.get(session_id)
        if call is None or call.app.key != app.key:  # another app's call is none of this app's business
            raise PlatformError(1020152, "The call does not exist or has already ended.")
        return self.engine.stop_call(session_id)

    def record_url(self, app: AppConfig, file_name: str, domain: str) -> Recording:
        """The finished recording ``file_name`` of ``app`` in ``domain``, or 1010002 (HTTP 404)."""
        return self.recordings.get(file_name, domain, app.key, self.clock.now())

    def recording_file(self, bucket: str, name: str) -> Recording:
        """A finished recording by the address ``record_url`` gave for it, or 1010002 (HTTP 404)."""
        rec = self.recordings.get(name, None, None, self.clock.now())
        if rec.bucket != bucket:
            raise PlatformError(1010002, f"{name} does not exist", http_status=404)
        return rec

    # -- scenarios ------------------------------------------------------------------
    def activate_scenario(self, *names: str) -> None:
        """Make the named scenarios (loaded at start or shipped) the active ones, first match first.

        Their API and port chaos timelines restart now; port capacity returns to the
        configured value first. No names: only the default (everything answered) is left.
        """
        self.scenarios.activate(list(names))

    def _shape(self, callee: str, user_data: str | None, script: tuple[Step, ...]) -> CallPlan:
        """The plan of a service with its own script (ring, answer, then its steps).

        Calls no scenario takes keep ``script``; an unanswered outcome replaces it; an
        answered one keeps its steps with the scenario's timings, cut short by a ``talk``.
        """
        playback = round(sum(step.delay for step in script[2:]), 3)
        plan = self.scenarios.plan(callee, user_data, playback)
        if plan.chaos is None and plan.scenario == DEFAULT:
            return CallPlan(script, None, playback, DEFAULT)
        return CallPlan(reshape(plan.script, plan.talk, script), plan.chaos, plan.talk, plan.scenario)

    @staticmethod
    def _own_number(app: AppConfig, display: str) -> None:
        if display not in app.display_numbers:
            raise PlatformError(1010023)

    def _on_record(self, call: Call) -> None:
        """The legs of ``call`` were bridged and it records: register its recording."""
        s = self.settings
        assert call.record_base is not None
        self.recordings.add(call, s.record_domain, s.record_bucket, call.record_base, self.clock.now())
