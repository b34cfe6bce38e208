"""Bills: merged by app and end second (<= 50 a message), re-pushed until accepted or given up."""
from __future__ import annotations

import socket

from simulator.client import b64
from simulator.testing import Answer


async def place(sim, n, **fields):
    for i in range(n):
        reply = await sim.client.call_verify(**sim.verify_request(calleeNbr=f"+86138{i:08d}", **fields))
        assert reply["resultcode"] == "0", reply.body


async def test_120_calls_ending_in_one_second_arrive_as_3_messages(sim):
    await place(sim, 120)
    await sim.advance(60)
    messages = sim.receiver.on("/fee")
    assert sorted(len(m.body["feeLst"]) for m in messages) == [20, 50, 50]
    ids = [b["sessionId"] for b in sim.receiver.bills()]
    assert len(ids) == len(set(ids)) == 120
    assert len({b["callEndTime"] for b in sim.receiver.bills()}) == 1


async def test_calls_ending_in_different_seconds_are_not_merged(sim):
    for _ in range(3):
        await place(sim, 1)
        await sim.advance(1)
    await sim.advance(60)
    messages = sim.receiver.on("/fee")
    assert [len(m.body["feeLst"]) for m in messages] == [1, 1, 1]
    assert len({m.body["feeLst"][0]["callEndTime"] for m in messages}) == 3


async def test_bills_to_different_urls_travel_apart(sim):
    await place(sim, 2)
    await place(sim, 2, feeUrl=sim.receiver.b64("/fee-other"))
    await sim.advance(60)
    assert [len(m.body["feeLst"]) for m in sim.receiver.on("/fee")] == [2]
    assert [len(m.body["feeLst"]) for m in sim.receiver.on("/fee-other")] == [2]


async def test_bill_reaches_sp_after_its_disconnect(sim):
    await place(sim, 1)
    await sim.advance(60)
    kinds = [r.body["eventType"] for r in sim.receiver.got]
    assert kinds == ["callout", "alerting", "answer", "disconnect", "fee"]


async def test_three_failures_then_success_makes_four_attempts_last_at_3_hours(sim):
    sim.receiver.answer("/fee", 500, 500, 500)
    await place(sim, 1)
    await sim.advance(60)
    first = sim.receiver.on("/fee")[0].at
    await sim.advance(10 * 3600)
    attempts = sim.receiver.on("/fee")
    assert len(attempts) == 4
    assert [round(a.at - first) for a in attempts] == [0, 3600, 7200, 10800]
    assert all(a.body == attempts[0].body for a in attempts)
    (push,) = [p for p in sim.platform.delivery.pushes if p.kind == "bill"]
    assert push.state == "delivered" and not sim.platform.delivery.owed


async def test_always_failing_sp_gets_7_attempts_then_bills_are_given_up_and_kept(sim):
    sim.receiver.answer("/fee", *[503] * 20)
    await place(sim, 2)
    await sim.advance(60)
    await sim.advance(24 * 3600)
    assert len(sim.receiver.on("/fee")) == 7
    (push,) = [p for p in sim.platform.delivery.pushes if p.kind == "bill"]
    assert push.state == "given_up"
    assert sim.platform.delivery.given_up == [push]
    assert len(push.attempts) == 7 and not any(a.ok for a in push.attempts)
    await sim.advance(24 * 3600)
    assert len(sim.receiver.on("/fee")) == 7


async def test_a_200_with_a_nonzero_resultcode_is_a_failure(sim):
    sim.receiver.answer("/fee", (200, '{"resultcode": "1"}'), (200, '{"resultcode": "0"}'))
    await place(sim, 1)
    await sim.advance(2 * 3600)
    assert len(sim.receiver.on("/fee")) == 2


async def test_refused_connection_is_retried(make_sim, receiver):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    sim = await make_sim()
    await place(sim, 1, feeUrl=b64(f"http://127.0.0.1:{dead_port}/fee"))
    await sim.advance(3601 + 60)
    (push,) = [p for p in sim.platform.delivery.pushes if p.kind == "bill"]
    assert len(push.attempts) == 2 and push.state == "retrying"
    assert push.attempts[0].status is None and "Connect" in push.attempts[0].error


async def test_slow_sp_times_out_and_is_retried(make_sim, receiver):
    sim = await make_sim(push_timeout=0.2)
    receiver.stall("/fee", 1.0)
    await place(sim, 1)
    await sim.advance(60)
    (push,) = [p for p in sim.platform.delivery.pushes if p.kind == "bill"]
    assert push.attempts[0].error == "timeout after 0.2s" and push.state == "retrying"
    await sim.advance(3600)
    assert push.state == "delivered" and len(push.attempts) == 2


async def test_a_redirect_is_a_failed_push_not_followed(sim):
    moved = Answer(302, location=sim.receiver.url("/elsewhere"))
    sim.receiver.answer("/fee", moved)
    sim.receiver.answer("/status", *[moved] * 4)
    await place(sim, 1)
    await sim.advance(60)
    pushes = list(sim.platform.delivery.pushes)
    assert {p.state for p in pushes if p.kind == "status"} == {"failed"}
    (bill,) = [p for p in pushes if p.kind == "bill"]
    assert bill.state == "retrying" and bill.attempts[0].status == 302
    assert not sim.receiver.on("/elsewhere")  # the Location was not followed
