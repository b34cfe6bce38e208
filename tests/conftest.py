"""Shared fixtures: a simulator on a manual clock behind real HTTP, and a recording SP receiver."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Awaitable, Callable

import pytest

from simulator import Platform, Settings, create_app
from simulator.client import SimControl, VoiceClient
from simulator.clock import Clock
from simulator.testing import Received, Receiver  # noqa: F401  (one SP receiver for tests and the plugin)

START = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC: timestamps in assertions stay readable


@dataclass
class Sim:
    """A running simulator: its platform object, base URL and a signing client."""

    platform: Platform
    base_url: str
    client: VoiceClient
    settings: Settings
    receiver: Receiver
    control: SimControl | None = None  # the /_sim/ API, signed with settings.control_token

    @property
    def clock(self) -> Clock:
        return self.platform.clock

    async def advance(self, seconds: float) -> None:
        await self.clock.advance(seconds)

    def verify_body(self, **overrides: Any) -> dict[str, Any]:
        """The documentation's example request, pointed at the receiver."""
        body: dict[str, Any] = {
            "displayNbr": "+8675528000002", "calleeNbr": "+8613800000000", "languageType": 2,
            "preTone": "pretone.wav", "verifyCode": "123456",
            "statusUrl": self.receiver.b64("/status"), "feeUrl": self.receiver.b64("/fee"),
        }
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def clock() -> Clock:
    return Clock(manual=True, start=START)


@pytest.fixture
async def receiver(aiohttp_server: Any, clock: Clock) -> Receiver:
    rec = Receiver(clock)
    server = await aiohttp_server(rec.app(), host="127.0.0.1")
    rec.base_url = str(server.make_url("")).rstrip("/")
    return rec


@pytest.fixture
async def make_sim(aiohttp_server: Any, clock: Clock, receiver: Receiver) -> Callable[..., Awaitable[Sim]]:
    clients: list[VoiceClient | SimControl] = []

    async def make(**overrides: Any) -> Sim:
        settings = replace(Settings(manual_clock=True, push_timeout=2.0), **overrides)
        platform = Platform(settings, clock)
        server = await aiohttp_server(create_app(platform=platform), host="127.0.0.1")
        base = str(server.make_url("")).rstrip("/")
        client = VoiceClient(base, settings.app_key, settings.app_secret)
        control = SimControl(base, settings.control_token)
        clients.extend((client, control))
        return Sim(platform, base, client, settings, receiver, control)

    yield make
    for c in clients:
        await c.close()


@pytest.fixture
async def sim(make_sim: Callable[..., Awaitable[Sim]]) -> Sim:
    return await make_sim()
