"""The demo's built-in SP receiver: an aiohttp app on 127.0.0.1 that takes the platform's pushes and counts them."""
from __future__ import annotations

import json
import random
from collections import Counter

from aiohttp import web

STATUS_PATH, FEE_PATH = "/voice/status", "/voice/fee"


class SpReceiver:
    """Answers status and bill pushes with 200, or with 500 at ``error_rate`` (seeded), and counts both.

    Its counts are the SP's side of the story: the demo's summary, read from the
    platform, must agree with them.
    """

    def __init__(self, error_rate: float = 0.0, seed: int | None = None) -> None:
        self.error_rate = error_rate
        self._random = random.Random(seed)
        self.events: Counter[str] = Counter()  # accepted status events by eventType
        self.events_refused = 0
        self.bills = 0  # accepted bills, counted one by one inside their messages
        self.bill_messages = 0
        self.bill_messages_refused = 0
        self.sessions: set[str] = set()  # calls the SP heard about
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def start(self, host: str = "127.0.0.1") -> None:
        """Listen on a free port of ``host``."""
        app = web.Application()
        app.router.add_post(STATUS_PATH, self._status)
        app.router.add_post(FEE_PATH, self._fee)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://{host}:{port}"

    async def close(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def status_url(self) -> str:
        """Where the platform pushes status events."""
        return self.base_url + STATUS_PATH

    @property
    def fee_url(self) -> str:
        """Where the platform pushes bills."""
        return self.base_url + FEE_PATH

    def _refuse(self) -> bool:
        return self.error_rate > 0 and self._random.random() < self.error_rate

    async def _status(self, request: web.Request) -> web.Response:
        doc = json.loads(await request.read())
        if self._refuse():
            self.events_refused += 1
            return web.Response(status=500, text="demo SP: refused on purpose")
        self.events[doc["eventType"]] += 1
        self.sessions.add(doc["statusInfo"]["sessionId"])
        return web.Response(status=200)

    async def _fee(self, request: web.Request) -> web.Response:
        doc = json.loads(await request.read())
        if self._refuse():
            self.bill_messages_refused += 1
            return web.Response(status=500, text="demo SP: refused on purpose")
        self.bill_messages += 1
        self.bills += len(doc["feeLst"])
        self.sessions.update(b["sessionId"] for b in doc["feeLst"])
        return web.json_response({"resultcode": "0", "resultdesc": "Success"})
