"""Start-up from a data dir: reload the journal, end the calls the crash cut, re-push owed bills.

What the platform would do after losing a node: calls live at the crash are over (an
abnormal hang-up, with its disconnect event and bill), and bills the SP has not accepted
are still owed, on their schedule, with the attempts already made counted.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..auth import Diagnosis
from ..config import AppConfig
from ..delivery import DELIVERED, GIVEN_UP, Attempt, Push, chunks, fee_body
from ..engine import ENDED, Call, Ending
from ..errors import PlatformError
from ..platform import Platform
from .call_rows import call_from_row
from .entries import BillEntry, EventEntry, RequestEntry
from .memory import Journal
from .tables import History

# A call the crash cut: the platform ends it itself (stateCode 8000 internal error, tear-down point
# 516 local cancel, Q.850 41 temporary failure). Recorded in docs/fidelity.md.
ABNORMAL_HANGUP = Ending(8000, "Internal error.", 516, 41, 500)


@dataclass(slots=True)
class Recovered:
    """What a start-up took over from the data dir."""

    calls_ended: int = 0
    pushes_owed: int = 0
    bills_unsent: int = 0

    def to_json(self) -> dict[str, int]:
        """As ``/_sim/health`` shows it."""
        return {"callsEnded": self.calls_ended, "billMessagesOwed": self.pushes_owed,
                "billsNeverSent": self.bills_unsent}


def _app(platform: Platform, key: str) -> AppConfig:
    app = platform.apps.get(key)
    if app is None:  # an app neither configured nor registered any more: keep the key, sign with nothing
        app = AppConfig(key, "")
    return app


def _push(platform: Platform, row: dict[str, Any]) -> Push:
    attempts = [Attempt(a["at"], bool(a["ok"]), a["status"], a["error"], a["elapsed"] or 0.0)
                for a in row["attempts"]]
    return Push(row["id"], row["kind"], row["event"], row["url"], _app(platform, row["app_key"]), row["body"],
                row["session_ids"], row["created"], row["state"], row["next_at"] or 0.0, attempts)


def restore(platform: Platform, journal: Journal, h: History, out: Recovered | None = None) -> Recovered:
    """Take over ``h``: journal contents, numbering, the clock, cut calls and owed bills (counted in ``out``)."""
    out = out if out is not None else Recovered()
    for doc in h.apps:
        if doc["key"] not in platform.apps:  # configuration given at this start wins
            fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in doc.items()}
            platform.register_app(AppConfig(**fields))
    platform.clock.resume_at(h.clock)
    for key, nonce, forget_at in h.nonces:  # a request replayed after the restart is still a replay
        platform.verifier.restore(key, nonce, forget_at)
    journal.resume(h.last_seq)
    platform.engine.resume_numbering(h.last_call_seq)
    platform.delivery.resume_ids(h.last_push_id)

    journal.requests.extend(RequestEntry(r["seq"], r["at"], r["method"], r["path"], r["status"], r["resultcode"],
                                         r["body"], r["answer"], Diagnosis.from_json(r["diagnosis"]))
                            for r in h.requests)
    journal.events.extend(EventEntry(r["seq"], r["at"], r["session_id"], r["event"], r["extra"]) for r in h.events)
    journal.bills.extend(BillEntry(r["seq"], r["at"], r["session_id"], r["url"], r["bill"]) for r in h.bills)

    cut: list[Call] = []
    for row in h.calls:
        call = call_from_row(row, lambda key: _app(platform, key))
        journal.add_call(call)
        if call.state != ENDED:
            cut.append(call)

    for row in h.pushes:
        push = _push(platform, row)
        if push.kind == "bill" and push.state not in (DELIVERED, GIVEN_UP):
            platform.delivery.adopt(push)
            if push.state != GIVEN_UP:  # given up: it had all its attempts, the last cut short by the crash
                out.pushes_owed += 1
        else:
            platform.delivery.pushes.append(push)

    # Bills made but never attempted (waiting to merge, delayed by chaos or queued, at the crash).
    unsent: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for row in h.unsent:
        unsent.setdefault((row["app_key"], row["url"], row["end_second"]), []).append(row["bill"])
    now = platform.clock.now()
    for (key, url, _), bills in unsent.items():
        app = _app(platform, key)
        for part in chunks(bills):
            push = Push(platform.delivery.next_id(), "bill", "fee", url, app, fee_body(part),
                        tuple(b["sessionId"] for b in part), now, next_at=now)
            platform.delivery.adopt(push)
            out.bills_unsent += len(part)

    for call in cut:
        platform.engine.live[call.session_id] = call
        try:
            platform.ports.acquire(call.app.key, None)
        except PlatformError:
            pass  # fewer ports than before the crash: the call still ends below
        platform.engine.finish(call, ABNORMAL_HANGUP)
        out.calls_ended += 1
    return out
