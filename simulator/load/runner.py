"""A load run: the simulator places calls itself and pushes their events and bills to the SP.

No SP request is needed: the run drives the ``Platform`` backend directly with a load app
(the SP's key and secret, so its signature checks pass), one verification-code call every
1/rate real seconds for ``duration`` real seconds, on the platform's clock at ``speed``. The
active scenarios decide how calls end and which chaos their pushes meet, as for any request.
Every push attempt is measured as it finishes. After the last call the run waits (at most
``drain`` real seconds) for calls to end, their bills to leave and owed bills to be re-pushed
while their next re-push still falls within that limit. (Status events a scenario's chaos holds
back longer than the bill merge delay may be left out of the report.)
"""
from __future__ import annotations

import asyncio
import gc
import random
import time
from collections import Counter
from typing import Any, Callable

from .. import collector
from ..config import MAX_PORTS, Settings
from ..delivery import RETRYING, Attempt, Push
from ..errors import PlatformError
from ..platform import Platform
from .options import LoadOptions
from .stats import LoadReport, LoadStats, bucket_seconds

DISPLAY = "+8675528000002"
SETTLE_MARGIN = 0.5  # simulated seconds past a re-push's due time before it is surely queued


class LoadRun:
    """One run; ``on_tick`` is called every ``options.refresh`` real seconds (the terminal view)."""

    def __init__(self, options: LoadOptions, on_tick: Callable[[LoadRun], None] | None = None) -> None:
        options.check()
        self.options = options
        self.on_tick = on_tick
        settings = Settings(app_key=options.app_key, app_secret=options.app_secret, display_numbers=(DISPLAY,),
                            speed=options.speed, call_ports=MAX_PORTS, push_timeout=options.push_timeout,
                            push_ca_file=options.push_ca_file, scenarios=options.scenarios, seed=options.seed,
                            keep_deliveries=1000)
        settings.check()  # the key and secret sign every push: no line breaks, nothing a header cannot hold
        self.platform = Platform(settings)  # a bad scenario or CA file raises ValueError naming it
        self.app = self.platform.apps[options.app_key]
        self.stats = LoadStats(bucket_seconds(options.duration))
        self.platform.delivery.listeners.append(self._measured)
        self.random = random.Random(options.seed)
        self.placed = 0
        self.refused: Counter[str] = Counter()
        self.phase = "placing calls"
        self.started = 0.0  # time.monotonic() of the first call
        self.last_placed = 0.0
        self._next = 0
        self._start_sim = 0.0
        self._arrived: asyncio.Future[None] | None = None

    @property
    def elapsed(self) -> float:
        """Real seconds since the first call."""
        return time.monotonic() - self.started

    async def run(self) -> LoadReport:
        """Place the calls, wait for what they owe the SP (within the drain limit), and report."""
        platform, o = self.platform, self.options
        await platform.start()
        # The start-up heap out of the collector's reach and its pauses short, as serve has them: a long
        # pause would read as SP answer time in the pushes it delayed.
        thresholds = gc.get_threshold()
        collector.tune()
        try:
            self._arrived = asyncio.get_running_loop().create_future()
            self.started = time.monotonic()
            self._start_sim = platform.clock.now()
            platform.clock.call_at(self._start_sim, self._arrive)
            platform.clock.call_later(o.refresh * o.speed, self._tick)
            await self._arrived
            self.phase = "draining"
            drained = await self._drain(self.last_placed + o.drain)
            self.phase = "done"
            if self.on_tick is not None:
                self.on_tick(self)
        finally:
            gc.unfreeze()  # a program that runs load in-process gets its collector back as it was
            gc.set_threshold(*thresholds)
            await platform.close()  # sends nothing more; waits for attempts on the wire (each within the push timeout)
        return self.stats.report(self.title, o.planned, self.placed, dict(self.refused),
                                 self.last_placed - self.started, self.elapsed, drained,
                                 len(platform.engine.live), list(platform.delivery.owed.values()))

    @property
    def title(self) -> str:
        """What was run, in one line."""
        o = self.options
        urls = ", ".join(u for u in (o.status_url, o.fee_url) if u)
        scenarios = ", ".join(o.scenarios) or "default"
        seed = "no seed" if o.seed is None else f"seed {o.seed}"
        return f"{o.rate:g} calls/s for {o.duration:g} s at x{o.speed:g} to {urls} (scenario {scenarios}, {seed})"

    # -- arrivals -------------------------------------------------------------------
    def _arrive(self, _: Any) -> None:
        self._place(self._next)
        self._next += 1
        if self._next < self.options.planned:
            # spaced from the run's start, not from this callback, so a late callback does not slow the rate
            gap = self.options.speed / self.options.rate
            self.platform.clock.call_at(self._start_sim + self._next * gap, self._arrive)
        else:
            self.last_placed = time.monotonic()
            assert self._arrived is not None
            self._arrived.set_result(None)

    def _place(self, n: int) -> None:
        o = self.options
        callee = f"+86138{self.random.randrange(10 ** 8):08d}"
        code = f"{self.random.randrange(10 ** 6):06d}"
        try:
            self.platform.call_verify(self.app, DISPLAY, callee, code, 3, "pretone.wav", status_url=o.status_url,
                                      fee_url=o.fee_url, user_data=f"load-{n}")
        except PlatformError as exc:  # a scenario's port exhaustion, or no idle port
            self.refused[f"{exc.code} {exc.description}"] += 1
            return
        self.placed += 1

    # -- measuring -------------------------------------------------------------------
    def _measured(self, push: Push, attempt: Attempt) -> None:
        self.stats.add(self.elapsed - attempt.elapsed, push, attempt)

    def _tick(self, _: Any) -> None:
        if self.phase == "done":
            return
        if self.on_tick is not None:
            self.on_tick(self)
        self.platform.clock.call_later(self.options.refresh * self.options.speed, self._tick)

    # -- the end ---------------------------------------------------------------------
    async def _drain(self, deadline: float) -> bool:
        """Wait until nothing more is owed to the SP, or the next thing owed falls after ``deadline``
        (real, monotonic). True if everything owed was settled."""
        p = self.platform
        clock, engine, delivery = p.clock, p.engine, p.delivery
        step = self.options.refresh * self.options.speed
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if engine.live or not delivery.settled:  # calls, merges, chaos delays, queues, the wire
                await clock.sleep(min(step, left * self.options.speed))
                continue
            waiting = [push.next_at for push in delivery.owed.values() if push.state == RETRYING]
            if not waiting:
                return True
            until = min(waiting) - clock.now()
            if until / self.options.speed > deadline - time.monotonic():
                return False  # the next re-push is due after the drain limit
            await clock.sleep(until + SETTLE_MARGIN)
