"""Running totals of what the platform delivered, and the live figures the demo and dashboard show."""
from __future__ import annotations

from collections import Counter
from typing import Any

from ..clock import utc_text
from ..delivery import RETRYING, Attempt, Push
from ..platform import Platform
from .memory import Journal


class Tally:
    """A delivery listener counting pushes the SP accepted or refused, so no view re-scans history."""

    __slots__ = ("events_ok", "events_failed", "bills_ok", "bill_messages_ok", "bill_attempts_failed")

    def __init__(self) -> None:
        self.events_ok: Counter[str] = Counter()  # status events the SP accepted, by eventType
        self.events_failed: Counter[str] = Counter()
        self.clear()

    def clear(self) -> None:
        """Start counting from zero (the control API's reset)."""
        self.events_ok = Counter()
        self.events_failed = Counter()
        self.bills_ok = 0  # bills (not messages) the SP accepted
        self.bill_messages_ok = 0
        self.bill_attempts_failed = 0

    def __call__(self, push: Push, result: Attempt) -> None:
        if push.kind == "status":
            (self.events_ok if result.ok else self.events_failed)[push.event] += 1
        elif result.ok:
            self.bills_ok += len(push.session_ids)
            self.bill_messages_ok += 1
        else:
            self.bill_attempts_failed += 1

    @classmethod
    def attach(cls, platform: Platform) -> Tally:
        """A tally listening to ``platform``'s deliveries from now on."""
        tally = cls()
        platform.delivery.listeners.append(tally)
        return tally


def pace(platform: Platform) -> dict[str, Any]:
    """How the simulator keeps up: event lateness over the last minute, and the push backlog by SP origin."""
    clock, outbox = platform.clock, platform.delivery.outbox
    return {"lateness": clock.lateness.figures().to_json(None if clock.manual else clock.speed),
            "pushBacklog": {"queued": outbox.backlog, "sending": outbox.sending,
                            "byOrigin": outbox.by_origin(clock.now())}}


def figures(platform: Platform, tally: Tally, journal: Journal) -> dict[str, Any]:
    """Calls per state, deliveries, retries pending, ports and pace: the numbers both live views show."""
    engine, delivery, ports, clock = platform.engine, platform.delivery, platform.ports, platform.clock
    states = engine.counts()
    now = clock.now()
    return {**pace(platform),
        "clock": {"mode": clock.mode, "speed": None if clock.manual else clock.speed, "now": utc_text(now),
                  "nowEpoch": round(now, 3)},
        "calls": {"started": journal.started, "live": len(engine.live), **states,
                  "ended": sum(journal.ended.values())},
        "events": {"delivered": sum(tally.events_ok.values()), "failed": sum(tally.events_failed.values()),
                   "byType": dict(tally.events_ok)},
        "bills": {"delivered": tally.bills_ok, "messages": tally.bill_messages_ok,
                  "failedAttempts": tally.bill_attempts_failed,
                  "retrying": sum(1 for p in delivery.owed.values() if p.state == RETRYING),
                  "owed": len(delivery.owed), "givenUp": len(delivery.given_up)},
        "ports": {"capacity": ports.capacity, "live": ports.live, "idle": ports.idle},
    }
