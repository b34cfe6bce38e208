"""pytest plugin (entry point ``pytest11``): the voice platform and an SP endpoint, one fixture each.

    async def test_code_call(voice_platform, sp_receiver):
        reply = await voice_platform.client.call_verify(**voice_platform.verify_request(verifyCode="123456"))
        sid = reply["sessionId"]
        await voice_platform.wait_for_event("disconnect", sid)
        bill = await voice_platform.wait_for_bill(sid)

``voice_platform`` is a simulator on a free port with a manual clock, unless ``--voice-platform-url``
(or ``VOICESIM_REAL_URL``) names a real platform: then the same test runs against it with the
credentials in ``VOICESIM_REAL_APP_KEY``/``VOICESIM_REAL_APP_SECRET``/``VOICESIM_REAL_DISPLAY_NBR``,
and the simulator-only helpers (the clock, ports, chaos through the control API) skip the test.
``voice_platform_factory`` starts simulators with settings of the test's own
(``await voice_platform_factory(call_ports=7)``), as aiohttp's ``aiohttp_server`` starts servers.
Simulators are served as ``voicesim serve`` serves them (``front.Site``: the API's lean path, aiohttp
for the rest); the SP receiver runs on pytest-aiohttp's ``aiohttp_server``.
"""
from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field, replace
from typing import Any, AsyncIterator, Awaitable, Callable, NoReturn

import pytest
from aiohttp import web

try:
    from pytest_asyncio import fixture as _async_fixture
except ImportError:  # installed without pytest-aiohttp: the plugin loads; its fixtures need it when used
    _async_fixture = pytest.fixture  # type: ignore[assignment]

from .app import create_app
from .client import SimControl, VoiceClient
from .clock import Clock
from .config import DEMO_DISPLAY_NUMBER, Settings
from .front import Site
from .platform import Platform
from .testing import DROP, Answer, Receiver

__all__ = ["DROP", "Answer", "Receiver", "VoicePlatform", "VoicePlatformFactory"]

START = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC: the simulator's clock starts here in tests
ENV_URL = "VOICESIM_REAL_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--voice-platform-url``: run ``voice_platform`` tests against a real platform."""
    group = parser.getgroup("voicesim", "voice platform simulator")
    group.addoption("--voice-platform-url", default=None,
                    help=f"base URL of a real voice platform to run voice_platform tests against (or {ENV_URL}); "
                         "credentials from VOICESIM_REAL_APP_KEY, VOICESIM_REAL_APP_SECRET, VOICESIM_REAL_DISPLAY_NBR")


def _real_url(config: pytest.Config) -> str | None:
    return config.getoption("--voice-platform-url", default=None) or os.environ.get(ENV_URL) or None


@dataclass
class VoicePlatform:
    """The platform a test talks to: the simulator, or a real one in parity mode."""

    base_url: str
    app_key: str
    app_secret: str
    display_number: str
    client: VoiceClient
    receiver: Receiver
    platform: Platform | None = None  # None against a real platform
    control_api: SimControl | None = None
    settings: Settings | None = None
    poll: float = 0.5  # real seconds between looks in parity mode
    _closers: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)

    @property
    def simulated(self) -> bool:
        """True on the simulator, False against a real platform."""
        return self.platform is not None

    @property
    def clock(self) -> Clock:
        """The simulator's clock (simulator only)."""
        return self._sim_only("clock").clock

    def _sim_only(self, what: str) -> Platform:
        if self.platform is None:
            pytest.skip(f"{what} needs the simulator; skipped against the real platform at {self.base_url}")
        return self.platform

    # -- requests ----------------------------------------------------------------------
    def verify_request(self, **fields: Any) -> dict[str, Any]:
        """The documentation's example verification-code request, with pushes to ``sp_receiver``.

        ``fields`` override or add fields; a field given as None is left out.
        """
        body: dict[str, Any] = {
            "displayNbr": self.display_number, "calleeNbr": "+8613800000000", "languageType": 2,
            "preTone": "pretone.wav", "verifyCode": "123456",
            "statusUrl": self.receiver.b64("/status"), "feeUrl": self.receiver.b64("/fee"),
        }
        body.update(fields)
        return {k: v for k, v in body.items() if v is not None}

    # -- simulator-only helpers ------------------------------------------------------------
    async def advance(self, seconds: float) -> None:
        """Move the simulator's clock ``seconds`` forward, running all that falls due (simulator only)."""
        await self._sim_only("advance()").clock.advance(seconds)

    def now(self) -> float:
        """Simulated time, epoch seconds (wall time against a real platform)."""
        return self.platform.clock.now() if self.platform is not None else time.time()

    async def set_ports(self, capacity: int) -> None:
        """Set the platform's call port capacity (simulator only)."""
        self._sim_only("set_ports()").ports.capacity = capacity

    async def scenario(self, *names: str, yaml: str | None = None) -> dict[str, Any]:
        """Activate shipped or configured scenarios by name (first match first; none: the default only),
        or one written inline as ``yaml`` (simulator only). Returns ``/_sim/scenarios``' answer."""
        self._sim_only("scenario()")
        assert self.control_api is not None
        body: dict[str, Any] = {"yaml": yaml} if yaml is not None else {"names": list(names)}
        reply = await self.control_api.request("POST", "scenarios", body)
        if reply.status != 200:
            _fail(f"the simulator refused the scenario: {reply.body}")
        return reply.body

    async def control(self, method: str, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
        """Call the control API, e.g. ``control("POST", "scenarios", {...})`` for chaos (simulator only).

        Returns the reply (``.status``, ``.body``, indexable like the body).
        """
        self._sim_only(f"control({method} {path})")
        assert self.control_api is not None
        return await self.control_api.request(method, path, body, params)

    # -- waiting ---------------------------------------------------------------------------
    async def wait_for(self, check: Callable[[], Any], within: float = 300.0, what: str = "the condition",
                       explain: Callable[[], str] | None = None) -> Any:
        """Until ``check()`` is truthy (and return it): on the simulator by advancing its clock a second
        at a time, at most ``within`` simulated seconds; on a real platform by polling up to ``within``
        real seconds. Fails with a message saying what arrived instead."""
        if self.platform is not None:
            clock = self.platform.clock
            await clock.advance(0)
            waited = 0.0
            while True:
                value = check()
                if value:
                    return value
                if waited >= within:
                    break
                step = min(1.0, within - waited)
                await clock.advance(step)
                waited += step
        else:
            deadline = time.monotonic() + within
            while True:
                value = check()
                if value:
                    return value
                if time.monotonic() >= deadline:
                    break
                await asyncio.sleep(self.poll)
        detail = explain() if explain is not None else ""
        _fail(f"{what} did not happen within {within:g} s" + (f"; {detail}" if detail else ""))

    async def wait_for_event(self, event: str, session_id: str | None = None, within: float = 300.0,
                             path: str = "/status") -> dict[str, Any]:
        """The ``statusInfo`` of the first ``event`` (of one call, if given) that reached ``sp_receiver``."""
        def check() -> dict[str, Any] | None:
            return next((info for e, info in self.receiver.events(path, session_id) if e == event), None)

        def explain() -> str:
            got = self.receiver.event_types(session_id, path)
            return f"the SP received {got}" if got else "the SP received no status event"

        who = f" of call {session_id}" if session_id else ""
        return await self.wait_for(check, within, f"a {event!r} event{who}", explain)

    async def wait_for_events(self, session_id: str, *events: str, within: float = 300.0,
                              path: str = "/status") -> list[dict[str, Any]]:
        """Wait for the call's last event, then check the SP got exactly ``events`` in this order."""
        await self.wait_for_event(events[-1], session_id, within, path)
        got = self.receiver.event_types(session_id, path)
        if got != list(events):
            _fail(f"call {session_id}: the SP received events {got}, expected {list(events)}")
        return [info for _, info in self.receiver.events(path, session_id)]

    async def wait_for_bill(self, session_id: str, within: float = 300.0, path: str = "/fee") -> dict[str, Any]:
        """The bill of one call, once it reached ``sp_receiver``."""
        def explain() -> str:
            sids = [b.get("sessionId") for b in self.receiver.bills(path)]
            return f"the SP received bills of {sids}" if sids else "the SP received no bill"

        return await self.wait_for(lambda: self.receiver.bill(session_id, path), within,
                                   f"the bill of call {session_id}", explain)

    async def close(self) -> None:
        """Close the clients."""
        for closer in self._closers:
            await closer()


def _fail(message: str) -> NoReturn:
    __tracebackhide__ = True
    pytest.fail(message, pytrace=False)


@pytest.fixture
def voice_platform_settings() -> dict[str, Any]:
    """Settings overrides for the simulated platform; override this fixture to change them."""
    return {}


@_async_fixture
async def sp_receiver(aiohttp_server: Any) -> Receiver:
    """A recording SP endpoint (``/status``, ``/fee``, any path) whose answers tests script.

    It listens on 127.0.0.1 (``VOICESIM_SP_HOST``/``VOICESIM_SP_PORT`` to change); against a real
    platform set ``VOICESIM_SP_PUBLIC_URL`` to the address the platform can reach it at.
    """
    receiver = Receiver()
    host = os.environ.get("VOICESIM_SP_HOST", "127.0.0.1")
    port = int(os.environ.get("VOICESIM_SP_PORT", "0")) or None
    server = await aiohttp_server(receiver.app(), host=host, port=port)
    receiver.base_url = (os.environ.get("VOICESIM_SP_PUBLIC_URL") or str(server.make_url(""))).rstrip("/")
    return receiver


VoicePlatformFactory = Callable[..., Awaitable[VoicePlatform]]


@_async_fixture
async def voice_platform_factory(sp_receiver: Receiver) -> AsyncIterator[VoicePlatformFactory]:
    """Start simulators for one test: ``await voice_platform_factory(**settings)`` is a fresh one on a free port.

    ``settings`` override ``Settings`` fields (a manual clock by default); ``clock=`` shares
    one ``Clock`` between several. Pushes go to ``sp_receiver``; clients close at teardown.
    """
    made: list[VoicePlatform] = []

    async def make(*, clock: Clock | None = None, **overrides: Any) -> VoicePlatform:
        settings = replace(Settings(manual_clock=True, push_timeout=5.0), **overrides)
        platform = Platform(settings, clock or Clock(manual=True, start=START))
        sp_receiver.clock = platform.clock
        runner = web.AppRunner(create_app(platform=platform), access_log=None)
        await runner.setup()
        site = Site(runner, "127.0.0.1", 0)  # as `voicesim serve`: the API's lean path, aiohttp for the rest
        await site.start()
        base = f"http://127.0.0.1:{site.port}"
        client = VoiceClient(base, settings.app_key, settings.app_secret)
        control = SimControl(base, settings.control_token)
        vp = VoicePlatform(base, settings.app_key, settings.app_secret, settings.display_numbers[0], client,
                           sp_receiver, platform, control, settings)
        vp._closers += [client.close, control.close, runner.cleanup]
        made.append(vp)
        return vp

    yield make
    for vp in made:
        await vp.close()


@_async_fixture
async def voice_platform(request: pytest.FixtureRequest, voice_platform_factory: VoicePlatformFactory,
                         sp_receiver: Receiver, voice_platform_settings: dict[str, Any]) -> Any:
    """The voice platform for one test: a fresh simulator (manual clock), or the real one in parity mode."""
    real = _real_url(request.config)
    if not real:
        yield await voice_platform_factory(**voice_platform_settings)
        return
    key, secret = os.environ.get("VOICESIM_REAL_APP_KEY"), os.environ.get("VOICESIM_REAL_APP_SECRET")
    if not key or not secret:
        pytest.fail("parity mode needs VOICESIM_REAL_APP_KEY and VOICESIM_REAL_APP_SECRET", pytrace=False)
    client = VoiceClient(real, key, secret)
    vp = VoicePlatform(real.rstrip("/"), key, secret, os.environ.get("VOICESIM_REAL_DISPLAY_NBR",
                                                                      DEMO_DISPLAY_NUMBER), client, sp_receiver)
    vp._closers.append(client.close)
    yield vp
    await vp.close()
