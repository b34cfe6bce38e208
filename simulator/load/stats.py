"""What a load run measured: every push attempt's answer time and outcome, by time bucket, and the report.

Pure bookkeeping, no I/O: the runner hands each finished attempt to ``LoadStats.add`` with the
real time (seconds since the run began) the attempt started; ``report`` sums it all up.
Latencies are those of attempts the SP answered (any HTTP status); timeouts and connection or
TLS failures have no answer time and are counted as failures by kind.
"""
from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Sequence

from ..delivery import GIVEN_UP, Attempt, Push

ACCEPTED = "accepted"
KINDS = ("status", "bill")


def failure_kind(attempt: Attempt) -> str:
    """``accepted``, or the kind of failure: ``HTTP 503``, ``resultcode not "0"``, ``timeout``, an error's name."""
    if attempt.ok:
        return ACCEPTED
    if attempt.status is not None and attempt.status != 200:
        return f"HTTP {attempt.status}"
    error = attempt.error or "failed"
    if error.startswith("resultcode"):
        return 'HTTP 200, resultcode not "0"'
    if error.startswith("timeout"):
        return "timeout"
    return error.split(":", 1)[0]  # "TLS certificate not trusted", "ConnectionRefusedError", ...


def percentile(ordered: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q <= 100) of values sorted ascending."""
    if not ordered:
        raise ValueError("no values")
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class Latency:
    """Answer times in milliseconds: how many, p50, p90, p99, max (None without answers)."""

    count: int
    p50: float | None
    p90: float | None
    p99: float | None
    max: float | None

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        """The percentiles of these answer times (seconds, any order)."""
        if not seconds:
            return cls(0, None, None, None, None)
        ordered = sorted(seconds)
        ms = [percentile(ordered, q) * 1000 for q in (50, 90, 99)]
        return cls(len(ordered), ms[0], ms[1], ms[2], ordered[-1] * 1000)


@dataclass(frozen=True, slots=True)
class BucketRow:
    """One time bucket: attempts started in [start, end) real seconds, their answer times and failures."""

    start: float
    end: float
    attempts: int
    failed: int
    latency: Latency


@dataclass(slots=True)
class BillFigures:
    """Bill messages: sent, accepted (at once or after re-pushes), re-pushed, given up, still owed."""

    messages: int = 0  # first attempts
    accepted_first: int = 0
    re_pushes: int = 0  # attempts after the first
    accepted_after_re_push: int = 0
    given_up_messages: int = 0
    given_up_bills: int = 0
    owed_messages: int = 0  # re-push still pending when the run ended
    owed_bills: int = 0


@dataclass(frozen=True, slots=True)
class LoadReport:
    """Everything a load run reports, in the terminal and in the HTML file."""

    title: str
    planned: int
    placed: int
    refused: dict[str, int]  # calls the platform refused (a scenario's port or API chaos), by reason
    arrival_seconds: float  # real seconds from the first call to the last
    seconds: float  # real seconds the whole run took, drain included
    drained: bool  # False: the drain limit ended the run with calls or bills outstanding
    unfinished: int  # calls still live when the run ended
    bucket_seconds: float
    latency: dict[str, Latency]  # "all", "status", "bill"
    buckets: list[BucketRow]
    failures: dict[str, dict[str, int]]  # kind of failure -> {"status": n, "bill": n}
    status_accepted: int
    status_failed: int
    bills: BillFigures

    def delivery_rows(self) -> list[tuple[str, int]]:
        """Status events and bill messages as labelled figures (the terminal and the HTML show them)."""
        b = self.bills
        return [("status events accepted", self.status_accepted), ("status events failed", self.status_failed),
                ("bill messages sent", b.messages), ("accepted at the first push", b.accepted_first),
                ("re-pushes", b.re_pushes), ("accepted after a re-push", b.accepted_after_re_push),
                ("given up (messages)", b.given_up_messages), ("given up (bills)", b.given_up_bills),
                ("still owed at the end (messages)", b.owed_messages),
                ("still owed at the end (bills)", b.owed_bills)]

    @property
    def achieved_rate(self) -> float | None:
        """Calls that arrived (placed or refused) per real second, first to last; None for fewer than two."""
        arrived = self.placed + sum(self.refused.values())
        return (arrived - 1) / self.arrival_seconds if arrived > 1 and self.arrival_seconds > 0 else None

    @property
    def calls_line(self) -> str:
        """Calls placed, of how many, at what rate."""
        rate = self.achieved_rate
        return (f"{self.placed} calls placed of {self.planned} in {self.arrival_seconds:.1f} s"
                + (f" ({rate:.1f}/s)" if rate is not None else ""))


@dataclass(slots=True)
class _Bucket:
    latencies: array[float] = field(default_factory=lambda: array("d"))
    attempts: int = 0
    failed: int = 0


class LoadStats:
    """Attempts as they finish, kept as compact arrays per bucket (a long run holds ~10^6 numbers)."""

    def __init__(self, bucket_seconds: float) -> None:
        self.bucket_seconds = bucket_seconds
        self.buckets: dict[int, _Bucket] = {}
        self.latencies: dict[str, array[float]] = {kind: array("d") for kind in KINDS}
        self.failures: dict[str, Counter[str]] = {}
        self.status_accepted = 0
        self.status_failed = 0
        self.bills = BillFigures()

    def add(self, at: float, push: Push, attempt: Attempt) -> None:
        """One finished attempt of ``push`` that started ``at`` real seconds into the run."""
        bucket = self.buckets.setdefault(max(0, int(at // self.bucket_seconds)), _Bucket())
        bucket.attempts += 1
        kind = "bill" if push.kind == "bill" else "status"
        if attempt.status is not None:
            bucket.latencies.append(attempt.elapsed)
            self.latencies[kind].append(attempt.elapsed)
        result = failure_kind(attempt)
        if result != ACCEPTED:
            bucket.failed += 1
            self.failures.setdefault(result, Counter())[kind] += 1
        if kind == "status":
            if attempt.ok:
                self.status_accepted += 1
            else:
                self.status_failed += 1
            return
        bills = self.bills
        first = len(push.attempts) <= 1
        if first:
            bills.messages += 1
        else:
            bills.re_pushes += 1
        if attempt.ok:
            if first:
                bills.accepted_first += 1
            else:
                bills.accepted_after_re_push += 1
        elif push.state == GIVEN_UP:
            bills.given_up_messages += 1
            bills.given_up_bills += len(push.session_ids)

    def report(self, title: str, planned: int, placed: int, refused: dict[str, int], arrival_seconds: float,
               seconds: float, drained: bool, unfinished: int, owed: Sequence[Push]) -> LoadReport:
        """The report, with the bill messages still ``owed`` (re-push pending) when the run ended."""
        width = self.bucket_seconds
        rows = [BucketRow(i * width, (i + 1) * width, b.attempts, b.failed, Latency.of(b.latencies))
                for i, b in sorted(self.buckets.items())]
        latency = {"all": Latency.of([*self.latencies["status"], *self.latencies["bill"]])}
        latency.update({kind: Latency.of(self.latencies[kind]) for kind in KINDS})
        failures = {name: {kind: counts[kind] for kind in KINDS}
                    for name, counts in sorted(self.failures.items(), key=lambda kv: -sum(kv[1].values()))}
        bills = replace(self.bills, owed_messages=len(owed), owed_bills=sum(len(p.session_ids) for p in owed))
        return LoadReport(title, planned, placed, dict(refused), arrival_seconds, seconds, drained, unfinished,
                          width, latency, rows, failures, self.status_accepted, self.status_failed, bills)


def bucket_seconds(duration: float) -> float:
    """Bucket width for a run of ``duration`` seconds: whole seconds, about 30 buckets while arriving."""
    return float(max(1, math.ceil(duration / 30)))
