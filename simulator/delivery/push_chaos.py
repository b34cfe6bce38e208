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
            self.clock.call_at(at, self.send, one)

    def send_bill(self, push: Push) -> None:
        """Send a bill message now, or after the extra latency its scenario draws for it."""
        delay = push.chaos.bill_delay(push.session_ids[0]) if push.chaos is not None else 0.0
        if delay > 0:
            self.clock.call_at(self.clock.now() + delay, self.send, push)
        else:
            self.send(push)

    def forget(self) -> None:
        """Drop the held-back pushes (the control API's reset)."""
        self.held.clear()


def judged(push: Push, result: Attempt) -> Attempt:
    """The attempt as the platform sees it: an accepted one may have its answer lost."""
    if result.ok and push.chaos is not None and push.chaos.bill_answer_lost(push.session_ids[0], len(push.attempts)):
        return Attempt(result.at, False, result.status, LOST, result.elapsed)
    return result
