"""``plain``: simulators served by aiohttp alone (``web.TCPSite``), whose answers the lean path must give."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Awaitable, Callable

import pytest

from simulator.app import create_app
from simulator.clock import Clock
from simulator.config import Settings
from simulator.platform import Platform
from simulator.pytest_plugin import START


@dataclass(slots=True)
class Plain:
    """A simulator served by aiohttp alone: its port and platform."""

    port: int
    platform: Platform


@pytest.fixture
def plain(aiohttp_server: Any) -> Callable[..., Awaitable[Plain]]:
    """``await plain(**settings)``: a simulator with make_sim's settings (and a clock of its own at the same start),
    served by aiohttp alone."""
    async def start(**overrides: Any) -> Plain:
        settings = replace(Settings(manual_clock=True, push_timeout=2.0), **overrides)
        platform = Platform(settings, Clock(manual=True, start=START))
        server = await aiohttp_server(create_app(platform=platform), host="127.0.0.1")
        return Plain(server.port, platform)

    return start
