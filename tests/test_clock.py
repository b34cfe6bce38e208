"""The clock: manual time runs callbacks in order; scaled time runs faster than the wall."""
from __future__ import annotations

import asyncio
import time

import pytest

from simulator.clock import Clock, utc_text


async def test_manual_advance_runs_due_callbacks_in_order_at_their_times():
    clock = Clock(manual=True, start=100.0)
    seen = []
    for t in (30, 10, 20, 10):
        clock.call_at(100.0 + t, lambda arg: seen.append((arg, clock.now())), t)
    await clock.advance(15)
    assert seen == [(10, 110.0), (10, 110.0)]
    await clock.advance(100)
    assert seen[2:] == [(20, 120.0), (30, 130.0)]
    assert clock.now() == 215.0


async def test_callbacks_scheduled_while_advancing_run_in_the_same_advance():
    clock = Clock(manual=True, start=0.0)
    seen = []

    def chain(n):
        seen.append(clock.now())
        if n:
            clock.call_later(10, chain, n - 1)

    clock.call_later(10, chain, 3)
    await clock.advance(35)
    assert seen == [10, 20, 30]


async def test_advance_waits_for_spawned_io():
    clock = Clock(manual=True, start=0.0)
    done = []

    async def io():
        await asyncio.sleep(0.01)
        done.append(clock.now())

    clock.call_at(5, lambda _: clock.spawn(io()))
    await clock.advance(10)
    assert done == [5.0]


async def test_a_failing_callback_does_not_stop_the_others():
    clock = Clock(manual=True, start=0.0)
    seen = []
    clock.call_at(1, lambda _: 1 / 0)
    clock.call_at(2, seen.append, "ok")
    await clock.advance(3)
    assert seen == ["ok"]


async def test_scaled_clock_runs_an_hour_in_about_a_second():
    clock = Clock(speed=36000)
    fired = asyncio.Event()
    start = time.monotonic()
    clock.call_later(3600, lambda _: fired.set())
    await asyncio.wait_for(fired.wait(), 2)
    assert 0.05 < time.monotonic() - start < 1.0


async def test_changing_speed_keeps_due_times():
    clock = Clock(speed=1)
    fired = asyncio.Event()
    seen: list[float] = []
    start = clock.now()
    clock.call_later(100, lambda _: (seen.append(clock.now()), fired.set()))
    # 100 simulated s take 1 real s; one simulated second (10 ms real) is room for the loop's wake-up lag
    clock.set_speed(100)
    await asyncio.wait_for(fired.wait(), 2)
    assert clock.speed == 100
    assert start + 100 <= seen[0] < start + 101


async def test_manual_clock_refuses_speed_and_real_clock_refuses_advance():
    with pytest.raises(ValueError):
        Clock(manual=True).set_speed(2)
    with pytest.raises(RuntimeError):
        await Clock().advance(1)


def test_utc_text():
    assert utc_text(1_767_225_600.9) == "2026-01-01 00:00:00"


class RealTime:
    """A real clock the test moves by hand (``Clock(monotonic=...)``): no timing in the assertions."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


async def test_a_stalled_loop_moves_a_scaled_clock_by_one_bounded_step():
    real = RealTime()
    clock = Clock(speed=3600, start=0.0, max_step=60, monotonic=real)
    clock.start()
    real.t += 0.005  # 5 ms at x3600: 18 simulated seconds, as the speed says
    assert clock.now() == pytest.approx(18)
    real.t += 2.0  # the event loop stalls for two seconds: not two simulated hours at once
    assert clock.now() == pytest.approx(72)  # 60 s, or two heartbeats' worth (20 ms at x3600) when that is more
    await asyncio.sleep(0.05)  # heartbeats run again: time goes on from the step, at the speed
    real.t += 0.005
    assert clock.now() == pytest.approx(90)
    clock.set_speed(10)  # slower: the step is max_step itself
    real.t += 30.0
    assert clock.now() == pytest.approx(150)
    await clock.close()


async def test_a_clock_at_real_speed_is_never_held_back():
    real = RealTime()
    clock = Clock(speed=1, start=0.0, monotonic=real)
    clock.start()
    real.t += 600.0  # a laptop asleep ten minutes: real time is the wall clock's, whatever the loop did
    assert clock.now() == pytest.approx(600)
    await clock.close()
