"""The journal's entries: one inbound request, one status event, one bill; and how the control API shows calls."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from ..auth import Diagnosis
from ..clock import utc_text
from ..engine import Call
from ..errors import success_body

_CODE_PREFIX = b'{"resultcode":'
# The standard answer to an accepted call request, up to its session id, and what may follow that id.
_SUCCESS_PREFIX = success_body("")[:-2]
_AT = len(_SUCCESS_PREFIX)  # where the session id starts
_IDLE = b'","idlePort":'


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
    diagnosis: Diagnosis | None = None  # the signing mistake an auth refusal matches

    def to_json(self) -> dict[str, Any]:
        """The entry as ``/_sim/requests`` shows it."""
        return {"seq": self.seq, "at": utc_text(self.at), "atEpoch": round(self.at, 3), "method": self.method,
                "path": self.path, "status": self.status, "resultcode": self.resultcode,
                "body": _text(self.body), "answer": _text(self.answer),
                "diagnosis": None if self.diagnosis is None else self.diagnosis.to_json()}


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


# How the journal keeps an answer: bytes as sent (None: not kept), or an accepted call request's
# standard answer as the call's own session id string (with the idle port when it said one),
# which the call already holds: rebuilt byte for byte when read.
KeptAnswer = bytes | str | tuple[str, int] | None


def keep_answer(answer: bytes | None, calls: Mapping[str, Call]) -> KeptAnswer:
    """``answer`` as the journal keeps it: the standard success answer of a call in ``calls`` by reference
    (its result code is then "0"); any other answer as it is."""
    if answer is None or not answer.startswith(_SUCCESS_PREFIX):
        return answer
    end = answer.find(b'"', _AT)
    call = calls.get(answer[_AT:end].decode("ascii", "replace")) if end > _AT else None
    if call is None:
        return answer
    sid = call.session_id
    if answer[end:end + len(_IDLE)] != _IDLE:
        return sid if answer == success_body(sid) else answer
    digits = answer[end + len(_IDLE):-1]
    # compared whole with what success_body makes of them: kept by reference only if rebuilt byte for byte
    if digits.isdigit() and answer == success_body(sid, int(digits)):
        return sid, int(digits)
    return answer


def answer_bytes(kept: KeptAnswer) -> bytes | None:
    """The answer as it was sent (``keep_answer`` undone)."""
    if isinstance(kept, str):
        return success_body(kept)
    if isinstance(kept, tuple):
        return success_body(*kept)
    return kept


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
