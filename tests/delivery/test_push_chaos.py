"""Status chaos on the wire, for any seed and rates: dropped events never arrive, doubled ones exactly twice."""
from __future__ import annotations

import asyncio
from collections import Counter

from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import Platform, Settings, create_app
from simulator.client import VoiceClient
from simulator.clock import Clock
from simulator.pytest_plugin import START
from simulator.scenarios.chaos import StatusChaos, status_fate
from simulator.testing import Receiver


async def _run(seed: int, drop: float, duplicate: float, reorder: float) -> None:
    clock = Clock(manual=True, start=START)
    receiver = Receiver(clock)
    rec_app = web.Application()
    rec_app.router.add_route("*", "/{tail:.*}", receiver.handle)
    platform = Platform(Settings(manual_clock=True, push_timeout=2.0), clock)
    async with TestServer(rec_app, host="127.0.0.1") as rec, TestServer(create_app(platform=platform),
                                                                          host="127.0.0.1") as sim:
        receiver.base_url = str(rec.make_url("")).rstrip("/")
        platform.scenarios.activate_text(
            f"name: w\nseed: {seed}\noutcomes: [{{outcome: answered, weight: 2}}, {{outcome: busy}}]\n"
            f"chaos: {{status: {{latency: 0s..2s, drop: {drop}, duplicate: {duplicate}, reorder: {reorder}}}}}\n")
        async with VoiceClient(str(sim.make_url("")).rstrip("/")) as client:
            for n in range(6):
                await client.call_verify(displayNbr="+8675528000002", calleeNbr=f"+861380000000{n}", languageType=2,
                                         preTone="pretone.wav", verifyCode="12", statusUrl=receiver.b64("/s"))
                await clock.advance(0.7)
            await clock.advance(120)
    got = Counter((info["sessionId"], name) for name, info in receiver.events("/s"))
    chaos = StatusChaos(drop=drop, duplicate=duplicate, reorder=reorder)
    checked = 0
    for call in platform.engine.ended:
        events = ["callout", "disconnect"] + (["alerting", "answer"] if call.answer else [])
        for event in events:
            fate = status_fate(chaos, seed, call.seq, event)
            assert got[(call.session_id, event)] == fate.copies, (call.seq, event, fate)
            checked += 1
    assert checked >= 12 and not platform.delivery.chaos.held  # nothing left behind


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**31), drop=st.sampled_from([0.0, 0.3, 1.0]), duplicate=st.sampled_from([0.0, 0.5, 1.0]),
       reorder=st.sampled_from([0.0, 0.5, 1.0]))
def test_status_chaos_on_the_wire_matches_its_decisions(seed, drop, duplicate, reorder):
    asyncio.run(_run(seed, drop, duplicate, reorder))


async def test_a_reset_forgets_pushes_chaos_delayed_and_the_delivery_settles(sim):
    await sim.scenario(yaml="name: late\noutcomes: [{outcome: busy}]\nchaos: {status: {latency: 30s}}\n")
    await sim.client.call_verify(**sim.verify_request(feeUrl=None))
    await sim.advance(5)  # callout and disconnect are made, both held 30 s by chaos
    assert sim.receiver.got == [] and not sim.platform.delivery.settled
    await sim.control_api.reset()
    assert sim.platform.delivery.settled
    await sim.advance(60)
    assert sim.receiver.got == []  # a reset means none of it is sent any more
