"""Virtual time: the one scheduler every simulated delay goes through.

Three modes share one heap of due times:

* real: simulated time is wall-clock time;
* scaled: simulated time runs ``speed`` times faster than the wall clock
  (``--speed 3600`` makes an hour pass in a second);
* manual: time stands still until a test calls ``await clock.advance(seconds)``,
  which runs everything due, in order, and waits for the I/O each step started.

A scaled clock counts real time only while the event loop runs: a heartbeat re-anchors
it every ``TICK``, and a stall of the loop (a long computation, a paused process) moves
it by one bounded step, ``max_step`` simulated seconds (or two heartbeats' worth when
the speed makes that more), instead of ``speed`` times the stall all at once.

Callbacks are plain functions ``fn(arg)``. There is no cancel: a callback whose
work became moot (a call already stopped) checks that itself, which keeps a heap
entry to one small tuple.
"""
from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from functools import lru_cache
from typing import Any, Callable, Coroutine

from .lateness import Lateness

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]
TICK = 0.01  # real seconds between a scaled clock's heartbeats
MAX_STEP = 60.0  # simulated seconds a scaled clock moves at most for one stall of the event loop


class Clock:
    """Simulated time in epoch seconds, and a heap of callbacks due on it."""

    def __init__(self, *, speed: float = 1.0, manual: bool = False, start: float | None = None,
                 max_step: float = MAX_STEP, monotonic: Callable[[], float] = time.monotonic) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        if max_step <= 0:
            raise ValueError("max_step must be positive")
        self.manual = manual
        self._speed = float(speed)
        self._monotonic = monotonic  # the real clock (a test may pass its own)
        self._max_step = max_step
        self._step = self._bounded_step()
        # (simulated, real) at the last anchor: one tuple, so the journal's writer thread reads a pair
        self._base = (time.time() if start is None else float(start), monotonic())
        self._beat: asyncio.TimerHandle | None = None  # the heartbeat of a scaled clock, once started
        self._heap: list[tuple[float, int, Callback, Any]] = []
        self._seq = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_due = float("inf")
        self._tasks: set[asyncio.Task[Any]] = set()
        self._running_due = False
        self.lateness = Lateness()  # how late callbacks ran (real and scaled clocks), over the last minute
        self._measured_from = self._base[0]  # callbacks due before this (a restart's jump) are not measured

    # -- reading time -------------------------------------------------------
    @property
    def speed(self) -> float:
        """How many simulated seconds pass per real second (manual: 0 between advances)."""
        return self._speed

    @property
    def mode(self) -> str:
        """``manual``, ``real`` (speed 1) or ``scaled``."""
        if self.manual:
            return "manual"
        return "real" if self._speed == 1.0 else "scaled"

    def now(self) -> float:
        """Simulated time, epoch seconds."""
        sim, real = self._base
        if self.manual:
            return sim
        elapsed = (self._monotonic() - real) * self._speed
        if self._beat is not None:  # scaled: no more than one bounded step since the last heartbeat
            return sim + min(elapsed, self._step)
        return sim + elapsed

    @property
    def max_step(self) -> float:
        """Simulated seconds a scaled clock moves at most for one stall of the event loop."""
        return self._max_step

    def _bounded_step(self) -> float:
        # Two heartbeats' worth at least, so a loop that is merely busy never slows the clock.
        return max(self._max_step, 2 * TICK * self._speed)

    def set_speed(self, speed: float) -> None:
        """Change the pace of a real/scaled clock from now on; what is due stays due."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        if self.manual:
            raise ValueError("a manual clock has no speed; advance it instead")
        self._base = (self.now(), self._monotonic())
        self._speed = float(speed)
        self._step = self._bounded_step()  # read by now(), which runs many times per request
        self.lateness.clear()  # lateness at the old pace says nothing about the new one
        self._cancel_timer()
        self._arm()
        self._stop_heartbeat()
        self._start_heartbeat()

    @property
    def pending(self) -> int:
        """Callbacks waiting on the heap."""
        return len(self._heap)

    # -- scheduling -----------------------------------------------------------
    def call_at(self, when: float, fn: Callback, arg: Any = None) -> None:
        """Run ``fn(arg)`` when simulated time reaches ``when``."""
        heapq.heappush(self._heap, (when, next(self._seq), fn, arg))
        if not self.manual and when < self._timer_due and not self._running_due:
            self._cancel_timer()
            self._arm()

    def call_later(self, delay: float, fn: Callback, arg: Any = None) -> None:
        """Run ``fn(arg)`` after ``delay`` simulated seconds."""
        self.call_at(self.now() + delay, fn, arg)

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of simulated time (on a manual clock: until an advance passes them)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.call_later(seconds, _wake, future)
        await future

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start I/O that belongs to the simulation; ``settle`` and ``advance`` wait for it."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("simulation task failed", exc_info=task.exception())

    # -- manual mode ------------------------------------------------------------
    async def settle(self) -> None:
        """Wait until every task the simulation started has finished (real time)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def advance(self, seconds: float) -> None:
        """Move a manual clock forward, running each due callback at its own time."""
        if not self.manual:
            raise RuntimeError("only a manual clock can be advanced")
        if seconds < 0:
            raise ValueError("time does not run backwards")
        target = self._base[0] + seconds
        await self.settle()
        while self._heap and self._heap[0][0] <= target:
            when, _, fn, arg = heapq.heappop(self._heap)
            self._base = (max(self._base[0], when), self._base[1])
            self._run(fn, arg)
            await self.settle()
        self._base = (target, self._base[1])

    # -- real/scaled mode --------------------------------------------------------
    def _arm(self) -> None:
        if not self._heap:
            self._timer_due = float("inf")
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not serving yet: ``start`` arms the timer
            self._timer_due = float("inf")
            return
        when = self._heap[0][0]
        real_delay = max(0.0, (when - self.now()) / self._speed)
        self._timer_due = when
        self._timer = loop.call_at(loop.time() + real_delay, self._run_due)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_due = float("inf")

    def _run_due(self) -> None:
        self._timer = None
        self._running_due = True
        try:
            now = self.now()
            heap = self._heap
            note, speed, monotonic = self.lateness.note, self._speed, self._monotonic
            while heap and heap[0][0] <= now:
                when, _, fn, arg = heapq.heappop(heap)
                if when >= self._measured_from:
                    real = monotonic()
                    base_sim, base_real = self._base  # the anchor a heartbeat last moved
                    note(real - base_real - (when - base_sim) / speed, real)
                self._run(fn, arg)
        finally:
            self._running_due = False
        self._arm()

    @staticmethod
    def _run(fn: Callback, arg: Any) -> None:
        try:
            fn(arg)
        except Exception:  # one broken callback must not stop every other call
            log.exception("scheduled callback %r failed", fn)

    def start(self) -> None:
        """Arm the timer for what was scheduled before the event loop ran; a scaled clock's heartbeat starts."""
        if not self.manual and self._timer is None:
            self._arm()
        self._start_heartbeat()

    def _start_heartbeat(self) -> None:
        if self.manual or self._speed == 1.0 or self._beat is not None:  # real time stays the wall clock's
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not serving yet: ``start`` starts it
            return
        self._beat = loop.call_later(TICK, self._heartbeat)

    def _heartbeat(self) -> None:
        real = self._monotonic()
        sim, last = self._base
        self._base = (sim + min((real - last) * self._speed, self._step), real)
        self._beat = asyncio.get_running_loop().call_later(TICK, self._heartbeat)

    def _stop_heartbeat(self) -> None:
        if self._beat is not None:
            self._beat.cancel()
            self._beat = None

    def resume_at(self, t: float) -> None:
        """Jump forward to simulated time ``t`` if it is later than now (a restart from a data dir)."""
        if t <= self.now():
            return
        self._base = (t, self._monotonic())
        self._measured_from = t  # what fell due during the jump runs now, late by design
        if not self.manual:
            self._cancel_timer()
            self._arm()

    async def close(self) -> None:
        """Stop the timer (and the heartbeat) and wait for running I/O to finish."""
        self._cancel_timer()
        self._stop_heartbeat()
        await self.settle()


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def utc_text(t: float) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC, the platform's format for events and bills."""
    return _utc_second(int(t) if t >= 0 else int(t) - 1)


@lru_cache(maxsize=1024)  # events and bills of one second share their stamp
def _utc_second(second: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(second))
