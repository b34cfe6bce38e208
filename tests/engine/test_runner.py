"""The engine without HTTP: scripts on a manual clock, recordings and the 3 s rule."""
from __future__ import annotations

from typing import Any

import pytest

from simulator.clock import Clock
from simulator.config import AppConfig
from simulator.engine import ENDINGS, Engine, PortPool
from simulator.engine.call import SERVICE_CALLBACK
from simulator.engine.scripts import answered

APP = AppConfig("key", "secret")


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, float]] = []
        self.billed: list[Any] = []
        self.clock: Clock | None = None

    def status(self, call, event, extra=None):
        self.events.append((call.session_id, event, self.clock.now()))

    def bill(self, call):
        self.billed.append(call)


@pytest.fixture
def engine():
    clock = Clock(manual=True, start=1_000_000.0)
    sink = Recorder()
    sink.clock = clock
    return Engine(clock, PortPool(100), sink)


@pytest.mark.parametrize("talk,recorded", [(2.9, False), (2.999, False), (3.0, True), (3.1, True)])
async def test_recording_exists_only_for_recorded_calls_of_3_seconds_or_more(engine, talk, recorded):
    call = engine.start_call(APP, SERVICE_CALLBACK, "+8675528000002", "+8613800000000",
                             answered(1.0, 2.0, talk), record=True)
    await engine.clock.advance(60)
    assert call.talk_seconds == talk
    assert call.recorded is recorded
    assert engine.sink.billed == [call]


async def test_unrecorded_call_has_no_recording_however_long(engine):
    call = engine.start_call(APP, SERVICE_CALLBACK, "+8675528000002", "+8613800000000", answered(1, 1, 60))
    await engine.clock.advance(120)
    assert call.recorded is False


async def test_script_times_and_events(engine):
    call = engine.start_call(APP, "001", "+8675528000002", "+8613800000000", answered(1.5, 2.5, 10))
    await engine.clock.advance(100)
    t0 = 1_000_000.0
    assert [(e, t - t0) for _, e, t in engine.sink.events] == [
        ("callout", 0), ("alerting", 1.5), ("answer", 4.0), ("disconnect", 14.0)]
    assert (call.start, call.alert, call.answer, call.end) == (t0, t0 + 1.5, t0 + 4, t0 + 14)
    assert call.ending == ENDINGS["normal"]
    assert engine.ports.live == 0 and not engine.live


async def test_stop_ends_a_live_call_once_and_unknown_is_refused(engine):
    from simulator.errors import PlatformError

    call = engine.start_call(APP, "001", "+8675528000002", "+8613800000000", answered(1, 1, 100))
    await engine.clock.advance(5)
    engine.stop_call(call.session_id)
    await engine.clock.advance(200)  # the scheduled hang-up finds the call already ended
    assert [e for _, e, _ in engine.sink.events].count("disconnect") == 1
    assert len(engine.sink.billed) == 1
    with pytest.raises(PlatformError) as err:
        engine.stop_call(call.session_id)
    assert err.value.code == 1020152


async def test_many_calls_interleave_in_time_order(engine):
    for delay in (5, 1, 3):
        engine.start_call(APP, "001", "+8675528000002", "+8613800000000", answered(delay, 1, 1))
    await engine.clock.advance(30)
    alerting = [t - 1_000_000.0 for _, e, t in engine.sink.events if e == "alerting"]
    assert alerting == [1, 3, 5]
