"""Lateness of scripted events: the rolling minute's histogram, and what health and metrics say of it."""
from __future__ import annotations

import asyncio
import time

from simulator.clock import Clock
from simulator.lateness import WINDOW, Lateness, behind


class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_p50_and_p99_of_the_last_minute_within_a_bin_of_the_truth():
    now = FakeTime()
    late = Lateness(now)
    for i in range(1000):  # 0.1 ms .. 100 ms
        late.note((i + 1) / 10_000, now.t)
        now.t += 0.01
    f = late.figures()
    assert f.events == 1000
    assert abs(f.p50 - 0.050) / 0.050 < 0.13 and abs(f.p99 - 0.099) / 0.099 < 0.13
    assert f.max == 0.1 and f.p99 <= f.max


def test_what_ran_more_than_a_minute_ago_is_forgotten():
    now = FakeTime()
    late = Lateness(now)
    late.note(2.0, now.t)
    now.t += WINDOW + 1
    late.note(0.001, now.t)
    f = late.figures()
    assert f.events == 1 and f.max == 0.001
    now.t += WINDOW + 1
    assert late.figures().events == 0 and late.figures().p99 == 0.0


def test_behind_means_a_simulated_second_late_and_more_than_timer_jitter():
    assert behind(0.050, 100)  # 50 ms real is 5 s simulated
    assert not behind(0.050, 1)  # 50 ms at real time: late, but the run keeps its pace
    assert not behind(0.002, 3600)  # 2 ms is jitter, even though it is 7 s simulated
    assert not behind(10.0, None)  # a manual clock is never behind


async def test_a_stalled_loop_makes_the_clock_report_late_events():
    clock = Clock(speed=100)
    clock.start()
    ran: list[float] = []
    done = asyncio.get_running_loop().create_future()

    def stall(_: object) -> None:
        time.sleep(0.05)  # a stall injected on purpose: what the next events see, they must report

    def probe(n: int) -> None:
        ran.append(clock.now())
        if n == 3 and not done.done():
            done.set_result(None)

    at = clock.now() + 0.1
    clock.call_at(at, stall)
    for n in range(1, 4):
        clock.call_at(at + 0.2 * n / 100, probe, n)  # due within the stall
    await done
    f = clock.lateness.figures()
    assert f.events == 4 and f.max >= 0.045 and f.p99 >= 0.045
    assert behind(f.p99, clock.speed)
    await clock.close()


def test_a_new_speed_starts_the_figures_afresh():
    clock = Clock(speed=1.0)
    clock.lateness.note(0.015, time.monotonic())  # ordinary jitter at x1 ...
    assert clock.lateness.figures().events == 1
    clock.set_speed(3600)  # ... is 54 simulated seconds at x3600: it must not say "behind" at once
    assert clock.lateness.figures().events == 0
    assert not behind(clock.lateness.figures().p99, clock.speed)
