"""A recording SP endpoint for tests: what the platform pushed, answered as the test scripts it.

Used by our own tests and by the pytest plugin's ``sp_receiver`` fixture::

    receiver.answer("/fee", 500, 500)             # the next two bill pushes fail, then 200
    receiver.answer("/fee", Answer(200, delay=3))  # answer after 3 real seconds
    receiver.answer("/fee", DROP)                  # close the connection without an answer
    receiver.answer_always("/fee", 503)            # fail until told otherwise
"""
from __future__ import annotations

import asyncio
import json
import subprocess
import time
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


class Receiver:
    """An SP endpoint: records every push, answers as the test scripts it (200 by default)."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock
        self.got: list[Received] = []
        self.script: dict[str, list[Answer]] = {}
        self.defaults: dict[str, Answer] = {}
        self.delays: dict[str, list[float]] = {}
        self.base_url = ""

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
        out = []
        for r in self.on(path):
            if not isinstance(r.body, dict) or "statusInfo" not in r.body:
                continue
            info = r.body["statusInfo"]
            if session_id is None or info.get("sessionId") == session_id:
                out.append((r.body.get("eventType"), info))
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
        reply = queue.pop(0) if queue else self.defaults.get(request.path, Answer())
        now = self.clock.now() if self.clock is not None else time.time()
        self.got.append(Received(request.path, dict(request.headers), body, now, str(request.url), reply))
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


def stop_process(proc: subprocess.Popen[Any], grace: float = 10.0) -> None:
    """End a server a test started: terminate, wait ``grace`` seconds, then kill.

    A test must never hang on a child that ignores SIGTERM, nor leave one running.
    """
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
