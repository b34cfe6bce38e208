"""Scenarios at run time: selection, every outcome, API chaos, activation, and exact replay."""
from __future__ import annotations

import asyncio
import json
from dataclasses import replace

import aiohttp
from aiohttp import web

from simulator import Platform, Settings, create_app
from simulator.client import VoiceClient
from simulator.clock import Clock
from simulator.pytest_plugin import START
from simulator.testing import Receiver

SELECTIVE = """\
name: selective
match:
  callee_prefix: "+86139"
  user_data_pattern: "order-[0-9]+"
outcomes:
  - outcome: busy
"""


async def post_scenario(sim, **doc):
    async with aiohttp.ClientSession() as session:
        async with session.post(sim.base_url + "/_sim/scenarios", json=doc) as resp:
            return resp.status, await resp.json()


async def get_scenarios(sim):
    async with aiohttp.ClientSession() as session:
        async with session.get(sim.base_url + "/_sim/scenarios") as resp:
            return await resp.json()


def end_codes(sim):
    return {info["sessionId"]: info["stateCode"] for name, info in sim.receiver.events() if name == "disconnect"}


async def test_match_by_callee_and_user_data_the_rest_falls_to_the_default(make_sim, tmp_path):
    path = tmp_path / "selective.yaml"
    path.write_text(SELECTIVE)
    sim = await make_sim(scenarios=(str(path),))
    cases = {("+8613900000001", "order-17"): 8102, ("+8613900000001", "order-x"): 0,
             ("+8613800000001", "order-17"): 0, ("+8613900000001", None): 0}
    sids = {}
    for (callee, user_data), _ in cases.items():
        reply = await sim.client.call_verify(**sim.verify_request(calleeNbr=callee, userData=user_data))
        sids[(callee, user_data)] = reply["sessionId"]
    await sim.advance(60)
    codes = end_codes(sim)
    assert {k: codes[sid] for k, sid in sids.items()} == cases


async def test_first_matching_scenario_wins(make_sim, tmp_path):
    exact = tmp_path / "exact.yaml"
    exact.write_text('name: exact\nmatch: {callee: "+8613800000007"}\noutcomes: [{outcome: powered_off}]\n')
    sim = await make_sim(scenarios=(str(exact), "rejected"))
    a = await sim.client.call_verify(**sim.verify_request(calleeNbr="+8613800000007"))
    b = await sim.client.call_verify(**sim.verify_request(calleeNbr="+8613800000008"))
    await sim.advance(60)
    codes = end_codes(sim)
    assert codes[a["sessionId"]] == 8104 and codes[b["sessionId"]] == 8004


async def test_weights_split_calls_in_proportion(make_sim):
    sim = await make_sim()
    status, _ = await post_scenario(sim, yaml="name: split\nseed: 5\noutcomes:\n"
                                              "  - {outcome: answered, weight: 3}\n  - {outcome: busy, weight: 1}\n")
    assert status == 200
    for n in range(80):
        await sim.client.call_verify(**sim.verify_request(calleeNbr=f"+86138000000{n:02d}"))
    await sim.advance(60)
    codes = list(end_codes(sim).values())
    assert len(codes) == 80 and set(codes) == {0, 8102}
    assert 45 <= codes.count(0) <= 75  # 3:1 of 80, with room for the draw


async def test_every_outcome_gives_its_documented_disconnect_and_bill(make_sim):
    expected = {  # outcome: (events, stateCode, callOutUnaswRsn, ulFailReason, sipStatusCode)
        "unreachable": (["callout", "disconnect"], 8103, 20, 518, 480),
        "powered_off": (["callout", "disconnect"], 8104, 20, 518, 480),
        "invalid_number": (["callout", "disconnect"], 8100, 1, 518, 404),
        "platform_failure": (["callout", "disconnect"], 8000, 41, 518, 500),
        "busy": (["callout", "disconnect"], 8102, 17, 518, 486),
        "rejected": (["callout", "alerting", "disconnect"], 8004, 21, 518, 603),
        "no_answer": (["callout", "alerting", "disconnect"], 8003, 19, 514, 480),
    }
    sim = await make_sim()
    for outcome, (events, code, q850, tear_down, sip) in expected.items():
        await post_scenario(sim, yaml=f"name: {outcome}\noutcomes: [{{outcome: {outcome}, alert: 2s}}]\n")
        reply = await sim.client.call_verify(**sim.verify_request())
        await sim.advance(120)
        got = [(n, i) for n, i in sim.receiver.events() if i["sessionId"] == reply["sessionId"]]
        assert [n for n, _ in got] == events, outcome
        assert got[-1][1]["stateCode"] == code and isinstance(got[-1][1]["stateDesc"], str)
        (bill,) = [b for b in sim.receiver.bills() if b["sessionId"] == reply["sessionId"]]
        assert (bill["callOutUnaswRsn"], bill["ulFailReason"], bill["sipStatusCode"]) == (q850, tear_down, sip)
        assert "callOutAnswerTime" not in bill and bill["failTime"] == bill["callEndTime"]


async def test_runtime_activation_lists_switches_and_refuses_unknown(make_sim):
    sim = await make_sim()
    doc = await get_scenarios(sim)
    assert doc["active"] == ["default"]
    assert {"busy", "outage", "status-chaos"} <= {s["name"] for s in doc["scenarios"]}
    status, doc = await post_scenario(sim, name="busy")
    assert status == 200 and doc["active"] == ["busy"]
    busy = await sim.client.call_verify(**sim.verify_request())
    status, doc = await post_scenario(sim, names=[])
    assert doc["active"] == ["default"]
    plain = await sim.client.call_verify(**sim.verify_request())
    await sim.advance(60)
    assert end_codes(sim) == {busy["sessionId"]: 8102, plain["sessionId"]: 0}
    status, doc = await post_scenario(sim, name="nope")
    assert status == 400 and "no scenario named 'nope'" in doc["problems"][0]
    status, doc = await post_scenario(sim, yaml="name: x\noutcomes:\n  - outcome: busy\n    talk: 1s\n")
    assert status == 400 and doc["problems"][0].startswith("<posted>:4: outcomes[0].talk:")
    status, doc = await post_scenario(sim, name="busy", names=["busy"])
    assert status == 400


async def test_activation_restarts_port_timeline_and_restores_capacity(make_sim):
    sim = await make_sim(call_ports=50)
    await post_scenario(sim, yaml="name: p\noutcomes: [{outcome: answered}]\n"
                                  "chaos: {ports: [{at: 0s, capacity: 0}]}\n")
    await sim.advance(1)
    refused = await sim.client.call_verify(**sim.verify_request(returnIdlePort="true"))
    assert refused["resultcode"] == "1020154"
    await post_scenario(sim, names=[])
    ok = await sim.client.call_verify(**sim.verify_request(returnIdlePort="true"))
    assert ok["resultcode"] == "0" and ok["idlePort"] == 49


async def test_port_capacity_returns_to_the_configured_value(make_sim):
    sim = await make_sim(call_ports=7, scenarios=("port-exhaustion",))
    await sim.advance(30)
    assert sim.platform.ports.capacity == 0
    await sim.advance(60)
    reply = await sim.client.call_verify(**sim.verify_request(returnIdlePort="true"))
    assert reply["resultcode"] == "0" and reply["idlePort"] == 6


async def test_the_seed_setting_also_rules_scenarios_activated_later(make_sim):
    sim = await make_sim(seed=123)
    sim.platform.activate_scenario("status-chaos")
    sim.platform.scenarios.activate_text("name: t\noutcomes: [{outcome: busy}]\n")
    sim.platform.activate_scenario("status-chaos", "t")
    assert [a.scenario.seed for a in sim.platform.scenarios.active] == [123, 123]


async def test_api_injected_error_and_flow_control(make_sim):
    sim = await make_sim()
    await post_scenario(sim, yaml="name: api\nseed: 3\noutcomes: [{outcome: answered}]\nchaos:\n  api:\n"
                                  "    error: {code: 1020002, rate: 0.3}\n    rate_limit: {requests: 4, per: 10s}\n")
    answers = []
    for _ in range(6):
        reply = await sim.client.call_verify(**sim.verify_request())
        answers.append((reply.status, reply["resultcode"]))
    assert answers[4:] == [(403, "1010009")] * 2  # past 4 in the window: flow control
    assert set(answers[:4]) <= {(200, "0"), (500, "1020002")}
    await sim.advance(10)  # a new window
    codes = []
    for _ in range(40):
        await sim.advance(3)
        codes.append((await sim.client.call_verify(**sim.verify_request()))["resultcode"])
    assert set(codes) == {"0", "1020002"}
    assert 4 <= codes.count("1020002") <= 22


async def test_api_latency_holds_the_answer_on_the_virtual_clock(make_sim):
    sim = await make_sim()
    await post_scenario(sim, yaml="name: slow\noutcomes: [{outcome: answered}]\nchaos: {api: {latency: 5s}}\n")
    pending = sim.clock.pending
    task = asyncio.ensure_future(sim.client.call_verify(**sim.verify_request()))
    for _ in range(2000):  # wait (real time, no simulated time, at most ~2 s) for the request to arrive
        if sim.clock.pending != pending or task.done():
            break
        await asyncio.sleep(0.001)
    assert sim.clock.pending != pending and not task.done(), "the request never reached the latency hold"
    await sim.advance(4.9)
    assert not task.done()
    await sim.advance(0.1)
    reply = await task
    assert reply["resultcode"] == "0"


async def test_reorder_always_delivers_each_held_event_after_the_next(make_sim):
    sim = await make_sim()
    await post_scenario(sim, yaml="name: r\noutcomes: [{outcome: answered}]\n"
                                  "chaos: {status: {reorder: 1, reorder_window: 60s}}\n")
    await sim.client.call_verify(**sim.verify_request())
    await sim.advance(60)
    assert [e for e, _ in sim.receiver.events()] == ["alerting", "callout", "disconnect", "answer"]


async def test_a_held_event_leaves_when_the_window_closes(make_sim):
    sim = await make_sim()
    await post_scenario(sim, yaml="name: r\noutcomes: [{outcome: answered, talk: 15s}]\n"
                                  "chaos: {status: {reorder: 1, reorder_window: 10s}}\n")
    await sim.client.call_verify(**sim.verify_request())
    t0 = sim.clock.now()
    await sim.advance(60)
    got = sim.receiver.on("/status")
    # callout waits for alerting; answer (at 4 s) and disconnect (at 19 s) wait out the window
    assert [(r.body["eventType"], r.at - t0) for r in got] == [
        ("alerting", 1), ("callout", 1), ("answer", 14), ("disconnect", 29)]


async def test_bill_merge_window_and_latency(make_sim):
    sim = await make_sim()

    async def three_calls_ending_in_one_second():
        for n in range(3):
            await sim.client.call_verify(**sim.verify_request(calleeNbr=f"+861380000000{n}"))
            await sim.advance(0.3)
        await sim.advance(0.1)

    await post_scenario(sim, yaml="name: a\noutcomes: [{outcome: busy, alert: 1s}]\n")
    await three_calls_ending_in_one_second()
    await sim.advance(60)
    assert [len(r.body["feeLst"]) for r in sim.receiver.on("/fee")] == [3]  # the platform's merge
    await post_scenario(sim, yaml="name: b\noutcomes: [{outcome: busy, alert: 1s}]\n"
                                  "chaos: {bills: {merge_window: 0s, latency: 30s}}\n")
    t0 = sim.clock.now()
    await three_calls_ending_in_one_second()
    await sim.advance(29)
    assert len(sim.receiver.on("/fee")) == 1
    await sim.advance(30)
    fee = sim.receiver.on("/fee")[1:]
    assert [len(r.body["feeLst"]) for r in fee] == [1, 1, 1]  # no merge window: one message each
    assert [round(r.at - t0, 1) for r in fee] == [31.0, 31.3, 31.6]


async def run_once(aiohttp_server, scenario: str, seed: int | None) -> list:
    """One fresh simulator and SP receiver on a fresh clock; the full log the SP receives."""
    clock = Clock(manual=True, start=START)
    receiver = Receiver(clock)
    rec_app = web.Application()
    rec_app.router.add_route("*", "/{tail:.*}", receiver.handle)
    rec_server = await aiohttp_server(rec_app, host="127.0.0.1", port=0)
    receiver.base_url = str(rec_server.make_url("")).rstrip("/")
    settings = replace(Settings(manual_clock=True, push_timeout=2.0), scenarios=(scenario,), seed=seed)
    platform = Platform(settings, clock)
    server = await aiohttp_server(create_app(platform=platform), host="127.0.0.1")
    async with VoiceClient(str(server.make_url("")).rstrip("/"), settings.app_key, settings.app_secret) as client:
        for n in range(25):
            await client.call_verify(displayNbr="+8675528000002", calleeNbr=f"+86138000000{n:02d}",
                                     languageType=2, preTone="pretone.wav", verifyCode="1234",
                                     statusUrl=receiver.b64("/status"), feeUrl=receiver.b64("/fee"))
            await clock.advance(0.5)
        await clock.advance(7200)
    base = receiver.base_url
    return [(r.path, r.at, json.dumps(r.body, sort_keys=True).replace(base, "")) for r in receiver.got]


async def test_same_seed_replays_event_for_event_and_another_seed_does_not(aiohttp_server):
    first = await run_once(aiohttp_server, "status-chaos", None)
    again = await run_once(aiohttp_server, "status-chaos", None)
    other = await run_once(aiohttp_server, "status-chaos", 43)
    assert len(first) > 100
    assert first == again
    assert first != other
    sp = await run_once(aiohttp_server, "sp-flaky", 9)
    assert sp == await run_once(aiohttp_server, "sp-flaky", 9)
