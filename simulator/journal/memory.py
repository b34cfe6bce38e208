"""The journal: every request, call, status event, bill and push attempt, in order.

Entries live in bounded in-memory rings (the control API reads them); with a data
dir a ``Store`` also writes them to SQLite on its own thread. Recording is an append
and, with a store, one queue put: no encoding and no disk on the event loop.

Memory is per entry and there are ``keep`` of each kind, so entries are kept lean: a
``Ring`` stores them by column (no object, int or float per entry), a request's method,
path, status and result code are one shared tuple, and the standard answer to an accepted
call request is the call's own session id string (``entries.keep_answer``), not a copy.
"""
from __future__ import annotations

import itertools
from collections import deque
from typing import TYPE_CHECKING, Any, Callable

from ..auth import Diagnosis
from ..clock import Clock
from ..delivery import Attempt, Push, outcome
from ..engine import ENDED, Call
from .entries import BillEntry, EventEntry, KeptAnswer, RequestEntry, answer_bytes, keep_answer, result_code
from .ring import Parts, Ring

if TYPE_CHECKING:
    from .store import Store

# A request's method, path, status and result code; and its diagnosis, if any.
_Kind = tuple[str, str, int, str] | tuple[str, str, int, str, Diagnosis]
_KINDS = 1024  # distinct request kinds shared at most


class Journal:
    """In-memory record of what happened, bounded to ``keep`` entries per kind."""

    def __init__(self, clock: Clock, keep: int = 100_000, store: Store | None = None) -> None:
        self.clock = clock
        self.keep = keep
        self.store = store  # None: memory only
        self.requests: Ring[RequestEntry] = Ring(keep, 3, _request_entry, self._request_parts)
        self.events: Ring[EventEntry] = Ring(keep, 2, _event_entry, _event_parts)
        self.bills: Ring[BillEntry] = Ring(keep, 3, BillEntry, _bill_parts)
        self.calls: dict[str, Call] = {}  # start order (``add_call``)
        self._call_order: deque[str] = deque()  # calls' keys, oldest first: a dict cannot drop its oldest in O(1)
        self._kinds: dict[_Kind, _Kind] = {}  # one tuple shared by the requests of a kind
        self.api_answers: dict[tuple[str, int], int] = {}  # (resultcode, HTTP status) -> count
        self.push_outcomes: dict[tuple[str, str], int] = {}  # (kind, outcome) -> count
        self.ended: dict[int, int] = {}  # stateCode -> calls ended with it
        self.started = 0
        self._seq = itertools.count(1)
        self.clear_listeners: list[Callable[[], None]] = []  # told after each ``clear``

    def resume(self, last_seq: int) -> None:
        """Continue numbering after ``last_seq`` (a journal reloaded from disk)."""
        self._seq = itertools.count(last_seq + 1)

    # -- hooks ---------------------------------------------------------------------
    def request(self, method: str, path: str, status: int, body: bytes | None, answer: Any,
                diagnosis: Diagnosis | None = None) -> None:
        """An inbound platform request was answered (``diagnosis``: what its refused signature got wrong)."""
        if not isinstance(answer, bytes):
            answer = bytes(answer) if isinstance(answer, bytearray) else None  # a copy: a bytearray can change
        kept = keep_answer(answer, self.calls)
        code = "0" if kept is not answer else result_code(answer)  # kept by reference: the standard success
        key = (code, status)
        self.api_answers[key] = self.api_answers.get(key, 0) + 1
        seq, at = next(self._seq), self.clock.now()
        self.requests.append(seq, at, (self._kind(method, path, status, code, diagnosis), body, kept))
        if self.store is not None:
            self.store.request(RequestEntry(seq, at, method, path, status, code, body, answer, diagnosis))

    def event(self, call: Call, event: str, extra: dict[str, Any] | None = None) -> None:
        """A status event of ``call`` happened now (the call's state changed, or digits came)."""
        seq, at = next(self._seq), self.clock.now()
        self.events.append(seq, at, (call.session_id, event if extra is None else (event, extra)))
        if event == "callout":
            self.started += 1
            self.add_call(call)
        elif call.state == ENDED and call.ending is not None and event == "disconnect":
            code = call.ending.state_code
            self.ended[code] = self.ended.get(code, 0) + 1
        if self.store is not None:
            self.store.event(EventEntry(seq, at, call.session_id, event, extra), call)

    def bill(self, call: Call, bill: dict[str, Any], url: str | None) -> None:
        """``call`` ended and its bill was made; ``url`` is where it goes."""
        seq, at = next(self._seq), self.clock.now()
        self.bills.append(seq, at, (call.session_id, url, bill))
        if self.store is not None:
            self.store.bill(BillEntry(seq, at, call.session_id, url, bill), call)

    def _kind(self, method: str, path: str, status: int, code: str, diagnosis: Diagnosis | None) -> _Kind:
        # One tuple shared by every request of a kind; a refusal's diagnosis is its own.
        if diagnosis is not None:
            return method, path, status, code, diagnosis
        kind = (method, path, status, code)
        kinds = self._kinds
        shared = kinds.get(kind)
        if shared is None:
            if len(kinds) >= _KINDS:  # only a few ever: paths are the platform's routes
                kinds.clear()
            shared = kinds[kind] = kind
        return shared

    def _request_parts(self, e: RequestEntry) -> Parts:
        # a request reloaded from disk, as ``request`` keeps it (its answer as sent)
        return e.seq, e.at, (self._kind(e.method, e.path, e.status, e.resultcode, e.diagnosis), e.body, e.answer)

    def add_call(self, call: Call) -> None:
        """Keep ``call`` as the newest of ``calls`` (its callout, or a reload), dropping the oldest past ``keep``."""
        calls, sid = self.calls, call.session_id
        if sid not in calls:
            self._call_order.append(sid)
        calls[sid] = call
        if len(calls) > self.keep:
            del calls[self._call_order.popleft()]

    def attempt(self, push: Push, attempt: Attempt) -> None:
        """One delivery attempt of ``push`` finished (Delivery.listeners)."""
        key = (push.kind, outcome(attempt))
        self.push_outcomes[key] = self.push_outcomes.get(key, 0) + 1
        if self.store is not None:
            self.store.attempt(push, attempt)

    async def before_send(self, push: Push, at: float) -> None:
        """A bill attempt of ``push`` leaves at ``at`` (Delivery.before_send): with a store, on disk first."""
        if self.store is not None:
            self.store.begin(push, at)
            await self.store.synced()

    # -- reading -------------------------------------------------------------------
    def timeline(self, session_id: str) -> list[EventEntry]:
        """Every event of one call, in order."""
        return list(self.events.matching(0, session_id))

    def bill_of(self, session_id: str) -> BillEntry | None:
        """The bill of one call, if it has ended."""
        return next(self.bills.matching(0, session_id, newest_first=True), None)

    def clear(self) -> None:
        """Forget everything (the control API's reset); counters start again from zero."""
        self.requests.clear()
        self.events.clear()
        self.bills.clear()
        self.calls.clear()
        self._call_order.clear()
        self._kinds.clear()
        self.api_answers.clear()
        self.push_outcomes.clear()
        self.ended.clear()
        self.started = 0
        if self.store is not None:
            self.store.clear()
        for listener in self.clear_listeners:
            listener()


def _request_entry(seq: int, at: float, kind: _Kind, body: bytes | None, answer: KeptAnswer) -> RequestEntry:
    return RequestEntry(seq, at, kind[0], kind[1], kind[2], kind[3], body, answer_bytes(answer),
                        kind[4] if len(kind) == 5 else None)


# An event is kept as its session id and its type, or its type and extra fields when it has some.
def _event_entry(seq: int, at: float, session_id: str, what: str | tuple[str, dict[str, Any]]) -> EventEntry:
    if isinstance(what, str):
        return EventEntry(seq, at, session_id, what, None)
    return EventEntry(seq, at, session_id, what[0], what[1])


def _event_parts(e: EventEntry) -> Parts:
    return e.seq, e.at, (e.session_id, e.event if e.extra is None else (e.event, e.extra))


def _bill_parts(e: BillEntry) -> Parts:
    return e.seq, e.at, (e.session_id, e.url, e.bill)
