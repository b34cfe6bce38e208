"""Shared fixtures: a simulator on a manual clock behind real HTTP, and a recording SP receiver."""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field, replace
from typing import Any, Awaitable, Callable

import pytest
from aiohttp import web

from simulator import Platform, Settings, create_app
from simulator.client import VoiceClient, b64
from simulator.clock import Clock

START = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC: timestamps in assertions stay readable


@dataclass
class Received:
    """One request the SP receiver got."""

    path: str
    headers: dict[str, str]
    body: Any
    at: float  # simulated time of arrival
    url: str


class Receiver:
    """An SP endpoint: records every push, answers as the test scripts it."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.got: list[Received] = []
        self.script: dict[str, list[tuple[int, str]]] = {}
        self.delays: dict[str, list[float]] = {}
        self.base_url = ""

    def answer(self, path: str, *replies: int | tuple[int, str]) -> None:
        """Answer the next requests to ``path`` with these statuses (or (status, body)); then 200."""
        self.script[path] = [r if isinstance(r, tuple) else (r, "") for r in replies]

    def stall(self, path: str, *seconds: float) -> None:
        """Make the next requests to ``path`` wait these real seconds before answering."""
        self.delays[path] = list(seconds)

    def url(self, path: str) -> str:
        return self.base_url + path

    def b64(self, path: str) -> str:
        return b64(self.url(path))

    def on(self, path: str) -> list[Received]:
        return [r for r in self.got if r.path == path]

    def events(self, path: str = "/status") -> list[tuple[str, dict[str, Any]]]:
        return [(r.body["eventType"], r.body["statusInfo"]) for r in self.on(path)]

    def bills(self, path: str = "/fee") -> list[dict[str, Any]]:
        return [b for r in self.on(path) for b in r.body["feeLst"]]

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.got.append(Received(request.path, dict(request.headers), json.loads(raw), self.clock.now(),
                                 str(request.url)))
        delays = self.delays.get(request.path)
        if delays:
            await asyncio.sleep(delays.pop(0))  # the SP's own slowness, in real time
        queue = self.script.get(request.path)
        status, body = queue.pop(0) if queue else (200, "")
        return web.Response(status=status, text=body)


@dataclass
class Sim:
    """A running simulator: its platform object, base URL and a signing client."""

    platform: Platform
    base_url: str
    client: VoiceClient
    settings: Settings
    receiver: Receiver

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
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", rec.handle)
    server = await aiohttp_server(app, host="127.0.0.1")
    rec.base_url = str(server.make_url("")).rstrip("/")
    return rec


@pytest.fixture
async def make_sim(aiohttp_server: Any, clock: Clock, receiver: Receiver) -> Callable[..., Awaitable[Sim]]:
    clients: list[VoiceClient] = []

    async def make(**overrides: Any) -> Sim:
        settings = replace(Settings(manual_clock=True, push_timeout=2.0), **overrides)
        platform = Platform(settings, clock)
        server = await aiohttp_server(create_app(platform=platform), host="127.0.0.1")
        base = str(server.make_url("")).rstrip("/")
        client = VoiceClient(base, settings.app_key, settings.app_secret)
        clients.append(client)
        return Sim(platform, base, client, settings, receiver)

    yield make
    for c in clients:
        await c.close()


@pytest.fixture
async def sim(make_sim: Callable[..., Awaitable[Sim]]) -> Sim:
    return await make_sim()
