"""Chaos on purpose: what a scenario declares, and pure, seeded decisions about it.

Every decision is a function of the scenario's seed and of what is being decided
(the call's sequence number and event, a request's index, a bill's attempt number),
never of what happened before: the same seed and the same requests replay the same
run event for event, whatever else runs alongside.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..engine import StatusFate
from .outcomes import Span

SYSTEM_ERROR = 1010001  # what every request gets during an outage: "Internal system error."
FLOW_CONTROL = 1010009  # a rate-limited request: "No more APIs can be invoked." (spec: conflicting)


def unit(seed: int, *key: object) -> float:
    """A uniform number in [0, 1) that depends only on ``seed`` and ``key``."""
    digest = hashlib.blake2b(repr((seed, key)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 18446744073709551616.0


@dataclass(frozen=True, slots=True)
class StatusChaos:
    """Status pushes: extra latency, drop, duplicate, deliver out of order."""

    latency: Span | None = None
    drop: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    reorder_window: float = 5.0  # a held event leaves after the call's next one, or after this


@dataclass(frozen=True, slots=True)
class BillChaos:
    """Bill pushes: extra latency, another merge window, answers lost (so bills are re-pushed)."""

    latency: Span | None = None
    merge_window: float | None = None
    fail: float = 0.0


@dataclass(frozen=True, slots=True)
class ApiChaos:
    """The platform's API: latency, injected result codes, flow control, outage windows."""

    latency: Span | None = None
    error_code: int = 1020002
    error_rate: float = 0.0
    limit: int | None = None  # requests allowed per ``per`` seconds
    per: float = 1.0
    limit_code: int = FLOW_CONTROL
    outages: tuple[tuple[float, float], ...] = ()  # [start, end) seconds after activation
    outage_code: int = SYSTEM_ERROR


@dataclass(frozen=True, slots=True)
class PortChange:
    """At ``at`` seconds after activation, the platform's port capacity becomes ``capacity``.

    ``capacity`` None: back to the configured number of ports.
    """

    at: float
    capacity: int | None


@dataclass(frozen=True, slots=True)
class Chaos:
    """Everything a scenario declares under ``chaos:``."""

    status: StatusChaos | None = None
    bills: BillChaos | None = None
    api: ApiChaos | None = None
    ports: tuple[PortChange, ...] = field(default=())


def status_fate(chaos: StatusChaos, seed: int, call_seq: int, event: str) -> StatusFate:
    """The fate of status event ``event`` of the call numbered ``call_seq``."""
    if unit(seed, "drop", call_seq, event) < chaos.drop:
        return StatusFate(0)
    copies = 2 if unit(seed, "dup", call_seq, event) < chaos.duplicate else 1
    delay = chaos.latency.draw(unit(seed, "lat", call_seq, event)) if chaos.latency else 0.0
    hold = unit(seed, "hold", call_seq, event) < chaos.reorder
    return StatusFate(copies, delay, hold)


def bill_delay(chaos: BillChaos, seed: int, key: str) -> float:
    """Extra seconds before a bill message identified by ``key`` is first pushed."""
    return chaos.latency.draw(unit(seed, "bill-lat", key)) if chaos.latency else 0.0


def bill_answer_lost(chaos: BillChaos, seed: int, key: str, attempt: int) -> bool:
    """True when the SP's answer to attempt number ``attempt`` of bill message ``key`` is lost."""
    return chaos.fail > 0 and unit(seed, "bill-fail", key, attempt) < chaos.fail


def api_delay(chaos: ApiChaos, seed: int, index: int) -> float:
    """Extra seconds before the API answers request number ``index``."""
    return chaos.latency.draw(unit(seed, "api-lat", index)) if chaos.latency else 0.0


def api_refusal(chaos: ApiChaos, seed: int, index: int, elapsed: float, in_window: int) -> int | None:
    """The result code request number ``index`` is refused with, or None to let it through.

    ``elapsed``: seconds since the scenario was activated; ``in_window``: requests
    already seen in the current rate-limit window, this one excluded.
    """
    for start, end in chaos.outages:
        if start <= elapsed < end:
            return chaos.outage_code
    if chaos.limit is not None and in_window >= chaos.limit:
        return chaos.limit_code
    if chaos.error_rate > 0 and unit(seed, "api-err", index) < chaos.error_rate:
        return chaos.error_code
    return None
