"""Handlers for the step kinds of the notification and callback scripts.

``collect`` pushes the digits a user pressed; ``fwd_*`` move a callback's second
leg (B) along: its status events carry B's numbers, its times go to the bill, and
the answer bridges the legs, which is when a recording starts.
"""
from __future__ import annotations

from typing import Any, Callable

from .call import Call, Leg
from .runner import Engine
from .scripts import COLLECT, FWD_ALERT, FWD_ANSWER, FWD_CALLOUT

# Called when a callback's legs are bridged and the call records (the recordings store).
OnRecord = Callable[[Call], None]


def _collect(engine: Engine, call: Call, digits: str) -> None:
    engine.sink.status(call, "collectInfo", {"digitInfo": digits})


def _leg(call: Call) -> Leg:
    assert call.leg is not None, "only a callback's script has steps of its second leg"
    return call.leg


def _leg_event(engine: Engine, call: Call, event: str) -> None:
    leg = _leg(call)
    engine.sink.status(call, event, {"caller": leg.display, "called": leg.callee})


def _fwd_callout(engine: Engine, call: Call, _: Any) -> None:
    _leg(call).start = engine.clock.now()
    _leg_event(engine, call, "callout")


def _fwd_alert(engine: Engine, call: Call, _: Any) -> None:
    _leg(call).alert = engine.clock.now()
    _leg_event(engine, call, "alerting")


def register(engine: Engine, on_record: OnRecord) -> None:
    """Teach ``engine`` the step kinds of digit collection and the callback's second leg."""

    def fwd_answer(engine: Engine, call: Call, _: Any) -> None:
        _leg(call).answer = engine.clock.now()
        _leg_event(engine, call, "answer")
        if call.record_base is not None:
            call.record = True
            on_record(call)

    engine.handlers[COLLECT] = _collect
    engine.handlers[FWD_CALLOUT] = _fwd_callout
    engine.handlers[FWD_ALERT] = _fwd_alert
    engine.handlers[FWD_ANSWER] = fwd_answer
