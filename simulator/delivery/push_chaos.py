"""Scenario chaos applied to pushes: late, lost, doubled or reordered status events, late bills.

The decisions come from the call's ``PushChaos`` (``scenarios.CallChaos``: pure,
seeded); this module only carries them out on the clock. Each copy and each late push
gets its own heap entry, so on a manual clock pushes due at the same moment still
leave one after the other, in a fixed order.
"""
from __future__ import annotations

from typing import Callable

from ..clock import Clock
from ..engine import Call
from .push import DROPPED, Attempt, Push

LOST = "answer lost (scenario chaos)"


class PushChaosRouter:
    """Carries out push chaos for delivery: ``send`` sends a push now, ``new_id`` numbers a copy,
    ``dropped`` records a push chaos chose never to send."""

    def __init__(self, clock: Clock, send: Callable[[Push], None], new_id: Callable[[], int],
                 dropped: Callable[[Push], None]) -> None:
        self.clock = clock
        self.send = send
        self.new_id = new_id
        self.dropped = dropped
        self.held: dict[str, tuple[Push, int]] = {}  # status pushes held back by reorder chaos, by call
        self.pending = 0  # pushes chaos delayed that are not sent yet (held ones not counted)
        self._generation = 0  # a reset cancels what was delayed before it

    def route_status(self, call: Call, push: Push) -> None:
        """Send, delay, duplicate, drop or hold back one status push of a call under status chaos."""
        chaos = call.chaos
        if chaos is None or not chaos.touches_status:  # the scenario only touches bills
            self.send(push)
            return
        fate = chaos.status_fate(call.seq, push.event)
        now = self.clock.now()
        if fate.copies == 0:
            push.state = DROPPED
            self.dropped(push)
            return
        held = self.held.pop(call.session_id, None)
        if fate.hold and held is None:  # leaves after the call's next event, or when the window closes
            self.held[call.session_id] = (push, fate.copies)
            self.clock.call_at(now + chaos.reorder_window, self._release, (call.session_id, push))
            return
        at = now + fate.delay
        self._schedule(push, fate.copies, at)
        if held is not None:
            self._schedule(held[0], held[1], at)

    def _release(self, arg: tuple[str, Push]) -> None:
        session_id, push = arg
        held = self.held.get(session_id)
        if held is not None and held[0] is push:
            del self.held[session_id]
            self._schedule(push, held[1], self.clock.now())

    def _schedule(self, push: Push, copies: int, at: float) -> None:
        for i in range(copies):
            one = push if i == 0 else Push(self.new_id(), push.kind, push.event, push.url, push.app, push.body,
                                           push.session_ids, push.created)
            self._later(at, one)

    def _later(self, at: float, push: Push) -> None:
        self.pending += 1
        self.clock.call_at(at, self._send_later, (self._generation, push))

    def _send_later(self, arg: tuple[int, Push]) -> None:
        generation, push = arg
        if generation == self._generation:  # else a reset came in between: forgotten, not sent
            self.pending -= 1
            self.send(push)

    def send_bill(self, push: Push) -> None:
        """Send a bill message now, or after the extra latency its scenario draws for it."""
        delay = push.chaos.bill_delay(push.session_ids[0]) if push.chaos is not None else 0.0
        if delay > 0:
            self._later(self.clock.now() + delay, push)
        else:
            self.send(push)

    @property
    def waiting(self) -> int:
        """Pushes chaos holds back or delays: on their way to an SP, not yet queued."""
        return self.pending + len(self.held)

    def forget(self) -> None:
        """Drop the held-back and delayed pushes (the control API's reset): none of them is sent."""
        self._generation += 1
        self.pending = 0
        self.held.clear()


def judged(push: Push, result: Attempt) -> Attempt:
    """The attempt as the platform sees it: an accepted one may have its answer lost."""
    if result.ok and push.chaos is not None and push.chaos.bill_answer_lost(push.session_ids[0], len(push.attempts)):
        return Attempt(result.at, False, result.status, LOST, result.elapsed)
    return result
