"""Our tests' harness, built on the plugin's fixtures (as aiohttp's own suite uses its plugin's factories).

``make_sim(**settings)`` is the plugin's ``voice_platform_factory`` with a shorter push
timeout and one manual clock per test; ``sim`` is one such simulator; ``receiver`` is
the plugin's ``sp_receiver``.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable

import pytest

from simulator.clock import Clock
from simulator.pytest_plugin import START, VoicePlatform, VoicePlatformFactory
from simulator.testing import Receiver

Sim = VoicePlatform


@pytest.fixture
def clock() -> Clock:
    """One manual clock for every simulator a test starts (2026-01-01 00:00:00 UTC)."""
    return Clock(manual=True, start=START)


@pytest.fixture
def receiver(sp_receiver: Receiver, clock: Clock) -> Receiver:
    sp_receiver.clock = clock
    return sp_receiver


@pytest.fixture
def make_sim(voice_platform_factory: VoicePlatformFactory, clock: Clock,
             receiver: Receiver) -> Callable[..., Awaitable[Sim]]:
    async def make(**overrides: Any) -> Sim:
        return await voice_platform_factory(clock=clock, **{"push_timeout": 2.0, **overrides})

    return make


@pytest.fixture
async def sim(make_sim: Callable[..., Awaitable[Sim]]) -> Sim:
    return await make_sim()
