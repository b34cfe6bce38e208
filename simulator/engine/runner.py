"""The call engine: starts calls, plays their scripts on the clock, ends and bills them.

It knows nothing of HTTP: the API layer calls ``start_call``/``stop_call`` and the
engine tells its sink (the delivery layer) about status events and ended calls.
"""
from __future__ import annotations

import itertools
import time
from collections import deque
from typing import Any, Callable, Protocol

from ..clock import Clock
from ..config import AppConfig
from ..errors import PlatformError
from .call import ALERT, ALERTING, ANSWER, ANSWERED, CALLOUT, END, ENDED, ENDINGS, Call, Ending, Leg, PushChaos, Step
from .ports import PortPool

RECORDING_MIN_SECONDS = 3.0


class Sink(Protocol):
    """Where the engine reports what happens to calls (the delivery layer)."""

    def status(self, call: Call, event: str, extra: dict[str, Any] | None = None) -> None:
        """A status event of ``call`` happened now."""

    def bill(self, call: Call) -> None:
        """``call`` ended; its bill is due."""


StepHandler = Callable[["Engine", Call, Any], None]


class Engine:
    """Live calls, the port pool, and the scheduler that moves calls along their scripts."""

    def __init__(self, clock: Clock, ports: PortPool, sink: Sink, host_name: str = "callenabler245.huaweicaas.com",
                 keep_ended: int = 10_000) -> None:
        self.clock = clock
        self.ports = ports
        self.sink = sink
        self.host_name = host_name
        self.live: dict[str, Call] = {}
        self.ended: deque[Call] = deque(maxlen=keep_ended)
        self.handlers: dict[str, StepHandler] = {}
        self.started = 0
        self._seq = itertools.count(1)
        self._stamp_second = -1
        self._stamp = ""
        self._step_cb = self._run_step  # one bound method, not one per scheduled step

    def start_call(self, app: AppConfig, service_type: str, caller: str, callee: str, script: tuple[Step, ...], *,
                   user_data: str | None = None, status_url: str | None = None, fee_url: str | None = None,
                   record: bool = False, leg: Leg | None = None, record_base: str | None = None,
                   party_type: bool = False, chaos: PushChaos | None = None) -> Call:
        """Place a call now: take a port (or raise 1020165/1020154), send callout, schedule the script.

        ``record``: record from the answer. ``leg``, ``record_base``, ``party_type``: a
        voice callback's second leg, where its recording (from B's answer) downloads
        from, and whether its disconnect says which party hung up. ``chaos``: the
        selecting scenario's push chaos, set before the first event leaves.
        """
        self.ports.acquire(app.key, app.quota)
        now = self.clock.now()
        seq = next(self._seq)
        call = Call(self._session_id(seq, now), seq, app, service_type, caller, callee, script, user_data,
                    status_url, fee_url, record, start=now, leg=leg, record_base=record_base, party_type=party_type,
                    chaos=chaos)
        self.live[call.session_id] = call
        self.started += 1
        self.sink.status(call, "callout")
        self._schedule_next(call, now)
        return call

    def stop_call(self, session_id: str, ending: Ending = ENDINGS["stopped"]) -> Call:
        """End a live call at once, or raise 1020152 for an unknown or ended one."""
        call = self.live.get(session_id)
        if call is None:
            raise PlatformError(1020152)
        self.finish(call, ending)
        return call

    def find(self, session_id: str) -> Call | None:
        """A live or recently ended call."""
        call = self.live.get(session_id)
        if call is not None:
            return call
        return next((c for c in reversed(self.ended) if c.session_id == session_id), None)

    def _session_id(self, seq: int, now: float) -> str:
        second = int(now)
        if second != self._stamp_second:
            self._stamp_second = second
            self._stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(second))
        return f"1201_{seq % 1000}_{seq}_{self._stamp}@{self.host_name}"

    def _schedule_next(self, call: Call, now: float) -> None:
        if call.pos < len(call.script):
            self.clock.call_at(now + call.script[call.pos].delay, self._step_cb, call)

    def _run_step(self, call: Call) -> None:
        if call.state == ENDED:  # stopped while this step waited
            return
        step = call.script[call.pos]
        call.pos += 1
        now = self.clock.now()
        kind = step.kind
        if kind == ALERT:
            call.alert = now
            call.state = ALERTING
            self.sink.status(call, "alerting")
        elif kind == ANSWER:
            call.answer = now
            call.state = ANSWERED
            self.sink.status(call, "answer")
        elif kind == END:
            self.finish(call, step.arg)
            return
        else:
            self.handlers[kind](self, call, step.arg)
        if call.state != ENDED:
            self._schedule_next(call, now)

    def finish(self, call: Call, ending: Ending) -> None:
        """End ``call`` now with ``ending``: free its port, send disconnect, hand over its bill."""
        if call.state == ENDED:
            return
        call.end = self.clock.now()
        call.ending = ending
        call.state = ENDED
        call.recorded = call.record and call.recorded_seconds >= RECORDING_MIN_SECONDS
        self.ports.release(call.app.key)
        self.live.pop(call.session_id, None)
        self.ended.append(call)
        disconnect: dict[str, Any] = {"stateCode": ending.state_code, "stateDesc": ending.desc}
        if call.party_type:
            disconnect["partyType"] = 1
        self.sink.status(call, "disconnect", disconnect)
        self.sink.bill(call)

    def counts(self) -> dict[str, int]:
        """Live calls by state."""
        out = {CALLOUT: 0, ALERTING: 0, ANSWERED: 0}
        for call in self.live.values():
            out[call.state] = out.get(call.state, 0) + 1
        return out

    def resume_numbering(self, last_seq: int) -> None:
        """Number new calls after ``last_seq`` (calls of an earlier run keep their ids and icids)."""
        self._seq = itertools.count(last_seq + 1)

    def drop_all(self) -> list[Call]:
        """Forget every live call without events or bills (the control API's reset); frees their ports."""
        dropped = list(self.live.values())
        for call in dropped:
            call.state = ENDED  # their scheduled steps become no-ops
            self.ports.release(call.app.key)
        self.live.clear()
        self.ended.clear()
        return dropped
