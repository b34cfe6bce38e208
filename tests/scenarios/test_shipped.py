"""Each shipped scenario end to end: what the SP receiver gets, on the virtual clock."""
from __future__ import annotations

import os
from collections import Counter

from simulator.scenarios import load, shipped
from simulator.scenarios.chaos import bill_answer_lost, status_fate
from tests.helpers import REPO

ROOT = REPO / "scenarios"
SHIPPED = {"default", "busy", "no-answer", "rejected", "short-call", "sp-flaky", "status-chaos",
           "port-exhaustion", "outage"}


def by_session(events):
    out: dict[str, list] = {}
    for name, info in events:
        out.setdefault(info["sessionId"], []).append((name, info))
    return out


def test_every_issue_scenario_is_shipped_and_the_package_ships_the_one_repo_copy():
    assert set(shipped()) == SHIPPED
    for name, path in shipped().items():
        twin = ROOT / os.path.basename(path)
        assert os.path.samefile(path, twin), f"the package's {name} is not scenarios/{name}.yaml itself"
        assert load(str(twin)).name == name


async def test_default_answers_and_the_platform_hangs_up(make_sim):
    sim = await make_sim(scenarios=("default",))
    await sim.client.call_verify(**sim.verify_request())
    await sim.advance(60)
    events = sim.receiver.events()
    assert [e for e, _ in events] == ["callout", "alerting", "answer", "disconnect"]
    assert events[-1][1]["stateCode"] == 0
    (bill,) = sim.receiver.bills()
    assert "callOutAnswerTime" in bill and "failTime" not in bill and bill["ttsPlayTimes"] == 3


async def test_busy_fails_before_ringing_with_8102(make_sim):
    sim = await make_sim(scenarios=("busy",))
    for n in range(5):
        await sim.client.call_verify(**sim.verify_request(calleeNbr=f"+861380000000{n}"))
    await sim.advance(60)
    calls = by_session(sim.receiver.events())
    assert len(calls) == 5
    for _sid, events in calls.items():
        assert [e for e, _ in events] == ["callout", "disconnect"]
        assert events[1][1]["stateCode"] == 8102
    arrivals = [r.at for r in sim.receiver.on("/status") if r.body["eventType"] == "disconnect"]
    assert all(1 <= at - sim.receiver.on("/status")[0].at <= 3 for at in arrivals)
    bills = sim.receiver.bills()
    assert len(bills) == 5
    for bill in bills:
        assert bill["callOutUnaswRsn"] == 17 and bill["sipStatusCode"] == 486 and bill["ulFailReason"] == 518
        assert bill["failTime"] == bill["callEndTime"]
        for absent in ("callOutAlertingTime", "callOutAnswerTime", "ttsPlayTimes", "ttsTransDuration"):
            assert absent not in bill


async def test_no_answer_rings_sixty_seconds_then_8003(make_sim):
    sim = await make_sim(scenarios=("no-answer",))
    await sim.client.call_verify(**sim.verify_request())
    t0 = sim.clock.now()
    await sim.advance(120)
    got = sim.receiver.on("/status")
    assert [r.body["eventType"] for r in got] == ["callout", "alerting", "disconnect"]
    assert [round(r.at - t0, 3) for r in got] == [0, 1, 61]
    assert got[-1].body["statusInfo"]["stateCode"] == 8003
    (bill,) = sim.receiver.bills()
    assert bill["callOutUnaswRsn"] == 19 and bill["ulFailReason"] == 514 and bill["sipStatusCode"] == 480
    assert "callOutAlertingTime" in bill and "callOutAnswerTime" not in bill


async def test_rejected_rings_then_the_callee_declines_8004(make_sim):
    sim = await make_sim(scenarios=("rejected",))
    for n in range(4):
        await sim.client.call_verify(**sim.verify_request(calleeNbr=f"+861380000000{n}"))
    await sim.advance(60)
    calls = by_session(sim.receiver.events())
    rings = []
    for _sid, events in calls.items():
        assert [e for e, _ in events] == ["callout", "alerting", "disconnect"]
        assert events[-1][1]["stateCode"] == 8004
    for r in sim.receiver.on("/status"):
        if r.body["eventType"] == "disconnect":
            rings.append(r.at - sim.receiver.on("/status")[0].at - 1)
    assert all(2 <= ring <= 8 for ring in rings) and len(set(rings)) > 1  # drawn, not fixed
    for bill in sim.receiver.bills():
        assert bill["callOutUnaswRsn"] == 21 and bill["sipStatusCode"] == 603 and "callOutAnswerTime" not in bill


async def test_short_call_user_hangs_up_within_three_seconds(make_sim):
    sim = await make_sim(scenarios=("short-call",))
    for n in range(6):
        await sim.client.call_verify(**sim.verify_request(calleeNbr=f"+861380000000{n}"))
    await sim.advance(60)
    answered_at = {r.body["statusInfo"]["sessionId"]: r.at for r in sim.receiver.on("/status")
                   if r.body["eventType"] == "answer"}
    ends = [r for r in sim.receiver.on("/status") if r.body["eventType"] == "disconnect"]
    assert len(ends) == 6 and len(answered_at) == 6
    for r in ends:
        talk = r.at - answered_at[r.body["statusInfo"]["sessionId"]]
        assert 1 <= talk <= 2.5
        assert r.body["statusInfo"]["stateCode"] == 8017
    for bill in sim.receiver.bills():
        assert "callOutAnswerTime" in bill and "failTime" not in bill and "callOutUnaswRsn" not in bill
        assert bill.get("ttsPlayTimes", 0) < 3  # the code was cut short


async def test_sp_flaky_bills_are_re_pushed_hourly_when_answers_are_lost(make_sim):
    sim = await make_sim(scenarios=("sp-flaky",))
    scenario = load("sp-flaky")
    sids = []
    for n in range(8):
        reply = await sim.client.call_verify(**sim.verify_request(calleeNbr=f"+861380000000{n}"))
        sids.append(reply["sessionId"])
        await sim.advance(5)  # distinct end seconds: one bill message per call
    await sim.advance(8 * 3600)
    fee = sim.receiver.on("/fee")
    copies = Counter(r.body["feeLst"][0]["sessionId"] for r in fee)
    for sid in sids:
        lost = 0
        while lost <= 6 and bill_answer_lost(scenario.chaos.bills, scenario.seed, sid, lost):
            lost += 1
        assert copies[sid] == min(lost + 1, 7), sid
        times = [r.at for r in fee if r.body["feeLst"][0]["sessionId"] == sid]
        assert all(round(b - a) == 3600 for a, b in zip(times, times[1:]))
    assert max(copies.values()) > 1  # the scenario's point: some bills reach the SP again
    states = {p.session_ids[0]: p.state for p in sim.platform.delivery.pushes if p.kind == "bill"}
    assert set(states.values()) <= {"delivered", "given_up"}


async def test_status_chaos_drops_duplicates_delays_and_reorders(make_sim):
    sim = await make_sim(scenarios=("status-chaos",))
    scenario = load("status-chaos")
    placed = []
    for n in range(30):
        reply = await sim.client.call_verify(**sim.verify_request(calleeNbr=f"+86138000000{n:02d}"))
        placed.append(reply["sessionId"])
        await sim.advance(1)
    await sim.advance(600)
    got = Counter((info["sessionId"], name) for name, info in sim.receiver.events())
    seqs = {c.session_id: c.seq for c in sim.platform.engine.ended}
    dropped = duplicated = 0
    for sid in placed:
        sent = [p.event for p in sim.platform.delivery.pushes if p.kind == "status" and sid in p.session_ids]
        for event in dict.fromkeys(sent):
            fate = status_fate(scenario.chaos.status, scenario.seed, seqs[sid], event)
            assert got[(sid, event)] == fate.copies, (sid, event)  # dropped: never; duplicated: exactly twice
            dropped += fate.copies == 0
            duplicated += fate.copies == 2
    assert dropped and duplicated
    order = [(info["sessionId"], name) for name, info in sim.receiver.events()]
    rank = {"callout": 0, "alerting": 1, "answer": 2, "disconnect": 3}
    reordered = any(rank[b[1]] < rank[a[1]] for sid in placed
                    for a, b in zip([o for o in order if o[0] == sid], [o for o in order if o[0] == sid][1:]))
    assert reordered
    codes = {info["stateCode"] for name, info in sim.receiver.events() if name == "disconnect"}
    assert {0, 8003, 8102} <= codes  # the weighted mix of outcomes


async def test_port_exhaustion_refuses_new_calls_between_30_and_90_seconds(make_sim):
    sim = await make_sim(scenarios=("port-exhaustion",))
    first = await sim.client.call_verify(**sim.verify_request(times=9))
    assert first["resultcode"] == "0"
    await sim.advance(30)
    refused = await sim.client.call_verify(**sim.verify_request())
    assert refused.status == 503 and refused["resultcode"] == "1020154" and refused["sessionId"] == ""
    assert refused["resultdesc"] == "Insufficient voice ports."
    await sim.advance(60)
    again = await sim.client.call_verify(**sim.verify_request())
    assert again["resultcode"] == "0"
    await sim.advance(120)
    by_sid = by_session(sim.receiver.events())
    assert by_sid[first["sessionId"]][-1][1]["stateCode"] == 0  # the call placed before went on
    assert by_sid[again["sessionId"]][-1][1]["stateCode"] == 0
    assert len(sim.receiver.bills()) == 2


async def test_outage_answers_system_error_between_30_and_90_seconds(make_sim):
    sim = await make_sim(scenarios=("outage",))
    assert (await sim.client.call_verify(**sim.verify_request()))["resultcode"] == "0"
    await sim.advance(30)
    for _ in range(3):
        down = await sim.client.call_verify(**sim.verify_request())
        assert down.status == 500
        assert down["resultcode"] == "1010001" and down["resultdesc"] == "Internal system error."
        await sim.advance(20)
    await sim.advance(30)  # now 120 s after start
    assert (await sim.client.call_verify(**sim.verify_request()))["resultcode"] == "0"
    await sim.advance(60)
    assert len(sim.receiver.bills()) == 2
