"""/_sim/health and /_sim/metrics say how late scripted events run and how many pushes wait, per SP origin."""
from __future__ import annotations

import time

from simulator.clock import Clock
from tests.helpers import until


async def test_health_and_metrics_report_lateness_and_the_backlog_on_a_running_clock(voice_platform_factory):
    sim = await voice_platform_factory(clock=Clock(speed=200), manual_clock=False)
    reply = await sim.client.call_verify(**sim.verify_request())
    sid = reply["sessionId"]
    await until("the call's disconnect", lambda: "disconnect" in sim.receiver.event_types(sid))
    health = (await sim.control("GET", "health")).body
    late = health["lateness"]
    assert set(late) == {"windowSeconds", "events", "p50Ms", "p99Ms", "maxMs", "behind"}
    assert late["windowSeconds"] == 60 and late["events"] >= 3  # alerting, answer, the end at least
    assert 0 <= late["p50Ms"] <= late["p99Ms"] <= late["maxMs"] < 10_000
    assert health["pushBacklog"]["queued"] == 0 and isinstance(health["pushBacklog"]["byOrigin"], dict)

    # A stall of the event loop (injected here; heavy load does the same) is seen, and called falling behind.
    clock = sim.clock
    at = clock.now() + 1.0
    clock.call_at(at, lambda _: time.sleep(0.05))
    clock.call_at(at + 0.1, lambda _: None)
    await until("the late event", lambda: clock.lateness.figures().max >= 0.045)
    health = (await sim.control("GET", "health")).body
    assert health["lateness"]["behind"] is True and health["lateness"]["maxMs"] >= 45
    text = (await sim.control_api.request("GET", "metrics")).body["raw"]
    assert 'voicesim_event_lateness_seconds{quantile="0.99"}' in text
    assert "voicesim_falling_behind 1" in text and "voicesim_push_backlog 0" in text


async def test_a_manual_clock_is_never_late(sim):
    reply = await sim.client.call_verify(**sim.verify_request())
    await sim.wait_for_event("disconnect", reply["sessionId"])
    late = (await sim.control("GET", "health")).body["lateness"]
    assert late["events"] == 0 and late["behind"] is False
