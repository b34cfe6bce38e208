"""Property tests of the pure chaos decisions: seeded, within tolerance, never contradictory."""
from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.scenarios import Span, parse_duration, parse_span
from simulator.scenarios.chaos import (
    ApiChaos,
    BillChaos,
    StatusChaos,
    api_delay,
    api_refusal,
    bill_answer_lost,
    bill_delay,
    status_fate,
    unit,
)

N = 4000
probability = st.floats(0.0, 1.0, allow_nan=False)
seeds = st.integers(0, 2**32)
EVENTS = ("callout", "alerting", "answer", "disconnect")


def within(observed: int, p: float, n: int = N) -> bool:
    """Binomial count within 5 standard deviations (false alarms: about 1 in 3.5 million)."""
    sd = math.sqrt(n * p * (1 - p))
    return abs(observed - n * p) <= 5 * sd + 1


@settings(max_examples=40, deadline=None)
@given(seed=seeds, drop=probability, duplicate=probability, reorder=probability)
def test_status_probabilities_are_respected(seed, drop, duplicate, reorder):
    chaos = StatusChaos(drop=drop, duplicate=duplicate, reorder=reorder)
    fates = [status_fate(chaos, seed, i // 4, EVENTS[i % 4]) for i in range(N)]
    dropped = sum(f.copies == 0 for f in fates)
    assert within(dropped, drop)
    kept = N - dropped
    assert within(sum(f.copies == 2 for f in fates), duplicate, kept) or kept == 0
    assert within(sum(f.hold for f in fates if f.copies), reorder, kept) or kept == 0


@settings(max_examples=60, deadline=None)
@given(seed=seeds, seq=st.integers(1, 10**9), event=st.sampled_from(EVENTS), drop=probability,
       duplicate=probability, lo=st.floats(0, 100), extra=st.floats(0, 100))
def test_a_status_fate_is_one_of_dropped_once_or_twice_and_replays(seed, seq, event, drop, duplicate, lo, extra):
    chaos = StatusChaos(latency=Span(lo, lo + extra), drop=drop, duplicate=duplicate, reorder=0.5)
    fate = status_fate(chaos, seed, seq, event)
    assert fate.copies in (0, 1, 2)
    if fate.copies == 0:  # a dropped event is neither sent, nor doubled, nor held
        assert fate.delay == 0 and not fate.hold
    else:
        assert lo - 1e-3 <= fate.delay <= lo + extra + 1e-3  # drawn to the millisecond
    assert status_fate(chaos, seed, seq, event) == fate
    if drop == 1.0:
        assert fate.copies == 0
    if drop == 0.0 and duplicate == 1.0:
        assert fate.copies == 2


@settings(max_examples=40, deadline=None)
@given(seed=seeds, rate=probability)
def test_api_error_rate_is_respected(seed, rate):
    chaos = ApiChaos(error_code=1020002, error_rate=rate)
    codes = [api_refusal(chaos, seed, i, 0.0, 0) for i in range(N)]
    assert set(codes) <= {None, 1020002}
    assert within(codes.count(1020002), rate)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, start=st.floats(0, 1000), length=st.floats(0.001, 1000), at=st.floats(0, 3000),
       limit=st.integers(0, 20), seen=st.integers(0, 40))
def test_outage_wins_then_flow_control(seed, start, length, at, limit, seen):
    chaos = ApiChaos(limit=limit, outages=((start, start + length),), error_rate=0.0)
    code = api_refusal(chaos, seed, 0, at, seen)
    if start <= at < start + length:
        assert code == 1010001
    elif seen >= limit:
        assert code == 1010009
    else:
        assert code is None


@settings(max_examples=40, deadline=None)
@given(seed=seeds, fail=probability)
def test_bill_answer_loss_rate_is_respected(seed, fail):
    chaos = BillChaos(fail=fail)
    lost = sum(bill_answer_lost(chaos, seed, f"s{i // 7}", i % 7) for i in range(N))
    assert within(lost, fail)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, lo=st.floats(0, 3600), extra=st.floats(0, 3600), key=st.text(max_size=20))
def test_drawn_delays_stay_in_their_range(seed, lo, extra, key):
    span = Span(lo, lo + extra)
    assert lo - 1e-3 <= bill_delay(BillChaos(latency=span), seed, key) <= lo + extra + 1e-3
    assert lo - 1e-3 <= api_delay(ApiChaos(latency=span), seed, len(key)) <= lo + extra + 1e-3


@given(seed=seeds, key=st.tuples(st.integers(), st.text(max_size=10)))
def test_unit_is_a_pure_uniform_number(seed, key):
    u = unit(seed, *key)
    assert 0.0 <= u < 1.0 and unit(seed, *key) == u


def test_a_different_seed_gives_different_decisions():
    a = [unit(1, "drop", i) for i in range(50)]
    b = [unit(2, "drop", i) for i in range(50)]
    assert a != b


@given(lo=st.integers(0, 10_000), extra=st.integers(0, 10_000))
def test_ranges_parse_in_every_unit(lo, extra):
    assert parse_span(f"{lo}ms..{lo + extra}ms") == Span(lo / 1000, (lo + extra) / 1000)
    assert parse_span(f"{lo}s") == Span(lo, lo)
    assert parse_duration(f"{lo}m") == lo * 60
    assert parse_duration(lo) == lo
