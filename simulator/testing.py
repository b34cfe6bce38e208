"""A recording SP endpoint: what the platform pushed, answered as a test scripts it, and counted.

The pytest plugin's ``sp_receiver`` fixture, our own tests and the demo's built-in SP
all use this one receiver::

    receiver.answer("/fee", 500, 500)             # the next two bill pushes fail, then 200
    receiver.answer("/fee", Answer(200, delay=3))  # answer after 3 real seconds
    receiver.answer("/fee", DROP)                  # close the connection without an answer
    receiver.answer_always("/fee", 503)            # fail until told otherwise
"""
from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .client import b64
from .clock import Clock


@dataclass(frozen=True, slots=True)
class Answer:
    """How the receiver answers one push: a status and body, after ``delay`` real seconds, or a drop."""

    status: int = 200
    body: str = ""
    delay: float = 0.0
    drop: bool = False
    location: str | None = None  # sent as a Location header (a redirect the platform must not follow)


DROP = Answer(drop=True)
Scripted = int | tuple[int, str] | Answer


def _answer(reply: Scripted) -> Answer:
    if isinstance(reply, Answer):
        return reply
    if isinstance(reply, tuple):
        return Answer(reply[0], reply[1])
    return Answer(reply)


@dataclass
class Received:
    """One request the SP receiver got, and what it answered."""

    path: str
    headers: dict[str, str]
    body: Any
    at: float  # simulated time of arrival (wall time when there is no simulator clock)
    url: str
    answer: Answer = field(default_factory=Answer)

    @property
    def accepted(self) -> bool:
        """True if the receiver answered 200 with no resultcode other than "0" (what the platform calls success)."""
        a = self.answer
        if a.drop or a.status != 200:
            return False
        try:
            doc = json.loads(a.body) if a.body.strip() else {}
        except ValueError:
            return True
        return not (isinstance(doc, dict) and "resultcode" in doc and str(doc["resultcode"]) != "0")


REFUSED = Answer(500, "refused on purpose")  # what a receiver with a refuse rate answers when it refuses


@dataclass
class Counts:
    """What the SP accepted and refused, counted as pushes arrive (the SP's side of a run's story)."""

    events: Counter[str] = field(default_factory=Counter)  # status events accepted, by eventType
    events_refused: int = 0
    bills: int = 0  # bills (not messages) accepted
    bill_messages: int = 0
    bill_messages_refused: int = 0
    sessions: set[str] = field(default_factory=set)  # calls the SP accepted a push of

    def add(self, body: Any, accepted: bool) -> None:
        """Count one push with this JSON ``body``, accepted or not."""
        if not isinstance(body, dict):
            return
        if body.get("eventType") == "fee":
            bills = [b for b in body.get("feeLst") or () if isinstance(b, dict)]
            if not accepted:
                self.bill_messages_refused += 1
                return
            self.bill_messages += 1
            self.bills += len(bills)
            self.sessions.update(str(b.get("sessionId")) for b in bills)
        elif isinstance(body.get("statusInfo"), dict):
            if not accepted:
                self.events_refused += 1
                return
            self.events[str(body.get("eventType"))] += 1
            self.sessions.add(str(body["statusInfo"].get("sessionId")))


class Receiver:
    """An SP endpoint: records every push, answers as the test scripts it (200 by default).

    ``refuse_rate``: the share of unscripted pushes answered 500 (drawn with ``seed``);
    ``keep``: remember only the newest pushes (a long demo), counting them all.
    """

    def __init__(self, clock: Clock | None = None, *, refuse_rate: float = 0.0, seed: int | None = None,
                 keep: int | None = None) -> None:
        self.clock = clock
        self.got: list[Received] = []
        self.keep = keep
        self.counts = Counts()
        self.script: dict[str, list[Answer]] = {}
        self.defaults: dict[str, Answer] = {}
        self.delays: dict[str, list[float]] = {}
        self.refuse_rate = refuse_rate
        self._random = random.Random(seed)
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    # -- scripting -------------------------------------------------------------------
    def answer(self, path: str, *replies: Scripted) -> None:
        """Answer the next requests to ``path`` with these, in order: a status, (status, body) or an Answer."""
        self.script[path] = [_answer(r) for r in replies]

    def answer_always(self, path: str, reply: Scripted | None) -> None:
        """Answer every request to ``path`` (once the script is used up) like this; None: back to 200."""
        if reply is None:
            self.defaults.pop(path, None)
        else:
            self.defaults[path] = _answer(reply)

    def stall(self, path: str, *seconds: float) -> None:
        """Make the next requests to ``path`` wait these real seconds before answering (as scripted)."""
        self.delays[path] = list(seconds)

    # -- addresses -------------------------------------------------------------------------
    def url(self, path: str) -> str:
        """The full URL of ``path`` on this receiver."""
        return self.base_url + path

    def b64(self, path: str) -> str:
        """The Base64 URL the platform wants in ``statusUrl``/``feeUrl``."""
        return b64(self.url(path))

    # -- what arrived --------------------------------------------------------------------
    def on(self, path: str) -> list[Received]:
        """Requests that reached ``path``."""
        return [r for r in self.got if r.path == path]

    def events(self, path: str = "/status", session_id: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """``(eventType, statusInfo)`` of every status push to ``path``, optionally of one call."""
        out: list[tuple[str, dict[str, Any]]] = []
        for r in self.on(path):
            if not isinstance(r.body, dict) or "statusInfo" not in r.body:
                continue
            info = r.body["statusInfo"]
            if session_id is None or info.get("sessionId") == session_id:
                out.append((str(r.body.get("eventType")), info))
        return out

    def event_types(self, session_id: str | None = None, path: str = "/status") -> list[str]:
        """Just the event types, in arrival order."""
        return [e for e, _ in self.events(path, session_id)]

    def bills(self, path: str = "/fee", accepted_only: bool = False) -> list[dict[str, Any]]:
        """Every bill in every bill message to ``path`` (re-pushes repeat them), or only accepted ones."""
        return [b for r in self.on(path) if isinstance(r.body, dict) and (r.accepted or not accepted_only)
                for b in r.body.get("feeLst", [])]

    def bill(self, session_id: str, path: str = "/fee") -> dict[str, Any] | None:
        """The (latest) bill of one call, or None."""
        found = [b for b in self.bills(path) if b.get("sessionId") == session_id]
        return found[-1] if found else None

    # -- the endpoint ------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Record the request, then answer as scripted."""
        raw = await request.read()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        queue = self.script.get(request.path)
        if queue:
            reply = queue.pop(0)
        elif self.refuse_rate > 0 and self._random.random() < self.refuse_rate:
            reply = REFUSED
        else:
            reply = self.defaults.get(request.path, Answer())
        now = self.clock.now() if self.clock is not None else time.time()
        received = Received(request.path, dict(request.headers), body, now, str(request.url), reply)
        self.got.append(received)
        if self.keep is not None and len(self.got) >= 2 * self.keep:
            del self.got[:-self.keep]  # amortised: trimmed once per ``keep`` pushes
        self.counts.add(body, received.accepted)
        stalls = self.delays.get(request.path)
        delay = reply.delay + (stalls.pop(0) if stalls else 0.0)
        if delay:
            await asyncio.sleep(delay)  # a slow SP: real time, as the push timeout is real time
        if reply.drop:
            assert request.transport is not None
            request.transport.abort()
            raise asyncio.CancelledError  # aiohttp closes quietly; the platform sees a dropped connection
        headers = {"Location": reply.location} if reply.location else None
        return web.Response(status=reply.status, text=reply.body, headers=headers)

    def app(self) -> web.Application:
        """An aiohttp application answering every path with ``handle``."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host`` (a free port unless ``port`` is given) without a test server; the base URL."""
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound = self._runner.addresses[0]
        self.base_url = f"http://{host}:{bound[1]}"
        return self.base_url

    async def close(self) -> None:
        """Stop listening (after ``start``)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
