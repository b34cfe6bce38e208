"""The journal: every request, call, status event, bill and push attempt, in order.

Entries live in bounded in-memory deques (the control API reads them); with a data
dir a ``Store`` also writes them to SQLite on its own thread. Recording is an append
and, with a store, one queue put: no encoding and no disk on the event loop.
"""
from __future__ import annotations

import itertools
import json
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any, Callable

from .clock import Clock, utc_text
from .delivery.push import Attempt, Push
from .engine.call import ENDED, Call

__all__ = ["Journal", "RequestEntry", "EventEntry", "BillEntry", "result_code", "call_json"]

_CODE_PREFIX = b'{"resultcode":'


@dataclass(slots=True)
class RequestEntry:
    """One inbound platform request and the answer it got."""

    seq: int
    at: float
    method: str
    path: str
    status: int
    resultcode: str
    body: bytes | None  # the request body as read; None when it was never read (auth refused)
    answer: bytes | None

    def to_json(self) -> dict[str, Any]:
        """The entry as ``/_sim/requests`` shows it."""
        return {"seq": self.seq, "at": utc_text(self.at), "atEpoch": round(self.at, 3), "method": self.method,
                "path": self.path, "status": self.status, "resultcode": self.resultcode,
                "body": _text(self.body), "answer": _text(self.answer)}


@dataclass(slots=True)
class EventEntry:
    """One status event of a call (whether or not it had a URL to go to)."""

    seq: int
    at: float
    session_id: str
    event: str
    extra: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        """The entry as ``/_sim/events`` shows it."""
        doc: dict[str, Any] = {"seq": self.seq, "at": utc_text(self.at), "atEpoch": round(self.at, 3),
                               "sessionId": self.session_id, "eventType": self.event}
        if self.extra:
            doc.update(self.extra)
        return doc


@dataclass(slots=True)
class BillEntry:
    """The bill of one ended call, and the URL it goes to (None: the app has none)."""

    seq: int
    at: float
    session_id: str
    url: str | None
    bill: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The entry as ``/_sim/bills`` shows it."""
        return {"seq": self.seq, "at": utc_text(self.at), "sessionId": self.session_id, "url": self.url,
                "bill": self.bill}


def _text(raw: bytes | bytearray | None) -> Any:
    if raw is None:
        return None
    return bytes(raw).decode("utf-8", "replace")


def result_code(answer: Any) -> str:
    """The ``resultcode`` of one of our answers: read from its first bytes when it comes first (no JSON
    decoding on the hot path), else from the parsed JSON; ``none`` when there is none."""
    if not isinstance(answer, (bytes, bytearray)):
        return "none"
    if answer[:14] == _CODE_PREFIX:
        start = answer.find(b'"', 14) + 1
        end = answer.find(b'"', start)
        if 0 < start <= 16 and end > start:
            return answer[start:end].decode()
    if b'"resultcode"' in answer:
        try:
            code = json.loads(answer).get("resultcode")
        except (ValueError, AttributeError):
            return "none"
        return "none" if code is None else str(code)
    return "none"


def call_json(call: Call) -> dict[str, Any]:
    """A call's summary as the control API shows it."""
    doc: dict[str, Any] = {
        "sessionId": call.session_id, "state": call.state, "serviceType": call.service_type,
        "appKey": call.app.key, "caller": call.caller, "callee": call.callee,
        "start": utc_text(call.start), "startEpoch": round(call.start, 3),
        "alerting": utc_text(call.alert) if call.alert else None,
        "answer": utc_text(call.answer) if call.answer else None,
        "end": utc_text(call.end) if call.end else None,
        "userData": call.user_data,
    }
    if call.ending is not None:
        doc["stateCode"] = call.ending.state_code
        doc["stateDesc"] = call.ending.desc
    return doc


class Journal:
    """In-memory record of what happened, bounded to ``keep`` entries per kind."""

    def __init__(self, clock: Clock, keep: int = 100_000, store: Any = None) -> None:
        self.clock = clock
        self.keep = keep
        self.store = store  # a journal_store.Store, or None (memory only)
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
    def request(self, method: str, path: str, status: int, body: bytes | None, answer: Any) -> None:
        """An inbound platform request was answered."""
        code = result_code(answer)
        key = (code, status)
        self.api_answers[key] = self.api_answers.get(key, 0) + 1
        if not isinstance(answer, (bytes, bytearray)):
            answer = None
        entry = RequestEntry(next(self._seq), self.clock.now(), method, path, status, code, body, answer)
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
        if attempt.ok:
            outcome = "accepted"
        elif attempt.status is not None:
            outcome = "refused"
        elif attempt.error and attempt.error.startswith("timeout"):
            outcome = "timeout"
        else:
            outcome = "error"
        key = (push.kind, outcome)
        self.push_outcomes[key] = self.push_outcomes.get(key, 0) + 1
        if self.store is not None:
            self.store.attempt(push, attempt)

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
