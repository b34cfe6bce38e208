"""The journal: every request, call, status event, bill and push attempt, in order.

Entries live in bounded in-memory deques (the control API reads them); with a data
dir a ``Store`` also writes them to SQLite on its own thread. Recording is an append
and, with a store, one queue put: no encoding and no disk on the event loop.
"""
from __future__ import annotations

import itertools
from collections import OrderedDict, deque
from typing import TYPE_CHECKING, Any, Callable

from ..auth_diagnosis import Diagnosis
from ..clock import Clock
from ..delivery import Attempt, Push, outcome
from ..engine import ENDED, Call
from .entries import BillEntry, EventEntry, RequestEntry, result_code

if TYPE_CHECKING:
    from .store import Store


class Journal:
    """In-memory record of what happened, bounded to ``keep`` entries per kind."""

    def __init__(self, clock: Clock, keep: int = 100_000, store: Store | None = None) -> None:
        self.clock = clock
        self.keep = keep
        self.store = store  # None: memory only
        self.requests: deque[RequestEntry] = deque(maxlen=keep)
        self.events: deque[EventEntry] = deque(maxlen=keep)
        self.bills: deque[BillEntry] = deque(maxlen=keep)
        # start order; an OrderedDict because dropping the oldest of a plain dict is O(n) per drop
        self.calls: OrderedDict[str, Call] = OrderedDict()
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
        code = result_code(answer)
        key = (code, status)
        self.api_answers[key] = self.api_answers.get(key, 0) + 1
        if not isinstance(answer, (bytes, bytearray)):
            answer = None
        entry = RequestEntry(next(self._seq), self.clock.now(), method, path, status, code, body, answer, diagnosis)
        self.requests.append(entry)
        if self.store is not None:
            self.store.request(entry)

    def event(self, call: Call, event: str, extra: dict[str, Any] | None = None) -> None:
        """A status event of ``call`` happened now (the call's state changed, or digits came)."""
        entry = EventEntry(next(self._seq), self.clock.now(), call.session_id, event, extra)
        self.events.append(entry)
        if event == "callout":
            self.started += 1
            calls = self.calls
            calls[call.session_id] = call
            if len(calls) > self.keep:
                calls.popitem(last=False)
        elif call.state == ENDED and call.ending is not None and event == "disconnect":
            code = call.ending.state_code
            self.ended[code] = self.ended.get(code, 0) + 1
        if self.store is not None:
            self.store.event(entry, call)

    def bill(self, call: Call, bill: dict[str, Any], url: str | None) -> None:
        """``call`` ended and its bill was made; ``url`` is where it goes."""
        entry = BillEntry(next(self._seq), self.clock.now(), call.session_id, url, bill)
        self.bills.append(entry)
        if self.store is not None:
            self.store.bill(entry, call)

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
        return [e for e in self.events if e.session_id == session_id]

    def bill_of(self, session_id: str) -> BillEntry | None:
        """The bill of one call, if it has ended."""
        return next((b for b in reversed(self.bills) if b.session_id == session_id), None)

    def clear(self) -> None:
        """Forget everything (the control API's reset); counters start again from zero."""
        self.requests.clear()
        self.events.clear()
        self.bills.clear()
        self.calls.clear()
        self.api_answers.clear()
        self.push_outcomes.clear()
        self.ended.clear()
        self.started = 0
        if self.store is not None:
            self.store.clear()
        for listener in self.clear_listeners:
            listener()
