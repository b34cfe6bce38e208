"""Scenario chaos applied to pushes: late, lost, doubled or reordered status events, late bills.

The decisions come from the call's ``PushChaos`` (``scenarios.CallChaos``: pure, seeded); this module only
carries them out on the clock. Each copy and each late push gets its own heap entry,
so on a manual clock pushes due at the same moment still leave one after the other,
in a fixed order.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .push import DROPPED, Attempt, Push

if TYPE_CHECKING:
    from ..engine import Call
    from .sink import Delivery

LOST = "answer lost (scenario chaos)"


def route_status(delivery: Delivery, call: Call, push: Push) -> None:
    """Send, delay, duplicate, drop or hold back one status push of a call under status chaos."""
    chaos = call.chaos
    if chaos is None or not chaos.touches_status:  # the scenario only touches bills
        delivery._send(push)
        return
    fate = chaos.status_fate(call.seq, push.event)
    clock = delivery.clock
    now = clock.now()
    if fate.copies == 0:
        push.state = DROPPED
        delivery.pushes.append(push)
        return
    held = delivery.held.pop(call.session_id, None)
    if fate.hold and held is None:  # leaves after the call's next event, or when the window closes
        delivery.held[call.session_id] = (push, fate.copies)
        clock.call_at(now + chaos.reorder_window, _release, (delivery, call.session_id, push))
        return
    at = now + fate.delay
    _schedule(delivery, push, fate.copies, at)
    if held is not None:
        _schedule(delivery, held[0], held[1], at)


def _release(arg: tuple[Delivery, str, Push]) -> None:
    delivery, session_id, push = arg
    held = delivery.held.get(session_id)
    if held is not None and held[0] is push:
        del delivery.held[session_id]
        _schedule(delivery, push, held[1], delivery.clock.now())


def _schedule(delivery: Delivery, push: Push, copies: int, at: float) -> None:
    for i in range(copies):
        one = push if i == 0 else Push(next(delivery._ids), push.kind, push.event, push.url, push.app, push.body,
                                       push.session_ids, push.created)
        delivery.clock.call_at(at, delivery._send, one)


def send_bill(delivery: Delivery, push: Push) -> None:
    """Send a bill message now, or after the extra latency its scenario draws for it."""
    delay = push.chaos.bill_delay(push.session_ids[0]) if push.chaos is not None else 0.0
    if delay > 0:
        delivery.clock.call_at(delivery.clock.now() + delay, delivery._send, push)
    else:
        delivery._send(push)


def judged(push: Push, result: Attempt) -> Attempt:
    """The attempt as the platform sees it: an accepted one may have its answer lost."""
    if result.ok and push.chaos is not None and push.chaos.bill_answer_lost(push.session_ids[0], len(push.attempts)):
        return Attempt(result.at, False, result.status, LOST, result.elapsed)
    return result
