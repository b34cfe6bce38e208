"""The simulated platform as one backend object: state and rules, no HTTP.

The API layer translates requests into calls on it; tests, the demo and the pytest
plugin can drive it directly.
"""
from __future__ import annotations

from .auth import Verifier
from .clock import Clock
from .config import AppConfig, Settings
from .delivery import Delivery, DeliveryPolicy
from .engine import Call, Engine, PortPool
from .engine.call import SERVICE_VERIFY
from .engine.scripts import answered, code_playback
from .media import Media, MediaLibrary
from .digits import DigitSource
from .engine import legs
from .recordings import Recordings
from . import services


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
        script = answered(s.alert_after, s.answer_after, talk)
        call = self.engine.start_call(app, SERVICE_VERIFY, display, callee, script, user_data=user_data,
                                      status_url=status_url, fee_url=fee_url)
        call.tts_plays = plays
        call.tts_seconds = speech
        return call
