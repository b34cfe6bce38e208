"""A verification-code call end to end: answer, status events, bill, over real HTTP."""
from __future__ import annotations

import re

import aiohttp

from simulator.auth import push_digest
from simulator.clock import utc_text

SESSION = re.compile(r"\d+_\d+_\d+_\d{14}@callenabler245\.huaweicaas\.com")
TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


async def test_documentation_example_succeeds(sim):
    reply = await sim.client.call_verify(**sim.verify_request(statusUrl=None, feeUrl=None))
    assert reply.status == 200
    assert reply["resultcode"] == "0"
    assert reply["resultdesc"] == "Success"
    assert SESSION.fullmatch(reply["sessionId"])
    assert "idlePort" not in reply.body


async def test_answer_content_type_is_the_platforms(sim):
    async with aiohttp.ClientSession() as s:
        async with s.post(sim.base_url + "/rest/httpsessions/callVerify/v1.0", json=sim.verify_request(),
                          headers=sim.client.headers()) as resp:
            assert resp.headers["Content-Type"] == "application/json;charset=UTF-8"


async def test_events_in_order_then_one_bill_agreeing_with_them(sim):
    reply = await sim.client.call_verify(**sim.verify_request(userData="order-42"))
    sid = reply["sessionId"]
    t0 = sim.clock.now()
    await sim.advance(60)
    events = sim.receiver.events()
    assert [e for e, _ in events] == ["callout", "alerting", "answer", "disconnect"]
    for _, info in events:
        assert info["sessionId"] == sid
        assert info["caller"] == "+8675528000002"
        assert info["called"] == "+8613800000000"
        assert info["userData"] == "order-42"
        assert TIME.fullmatch(info["timestamp"])
    disconnect = events[-1][1]
    assert disconnect["stateCode"] == 0 and isinstance(disconnect["stateCode"], int)
    assert isinstance(disconnect["stateDesc"], str)
    # default timings: ring after 1 s, answer 3 s later, 2 s pretone + 3 x (6 x 0.6 + 1) s of code
    assert events[0][1]["timestamp"] == utc_text(t0)
    assert events[1][1]["timestamp"] == utc_text(t0 + 1)
    assert events[2][1]["timestamp"] == utc_text(t0 + 4)
    assert events[3][1]["timestamp"] == utc_text(t0 + 4 + 2 + 13.8)

    fee = sim.receiver.on("/fee")
    assert len(fee) == 1
    assert fee[0].body["eventType"] == "fee"
    (bill,) = fee[0].body["feeLst"]
    assert fee[0].at > sim.receiver.on("/status")[-1].at - 1e-9
    assert bill["sessionId"] == sid
    assert bill["callOutStartTime"] == events[0][1]["timestamp"]
    assert bill["callOutAlertingTime"] == events[1][1]["timestamp"]
    assert bill["callOutAnswerTime"] == events[2][1]["timestamp"]
    assert bill["callEndTime"] == events[3][1]["timestamp"]
    assert bill["direction"] == 0 and bill["recordFlag"] == 0 and bill["ulFailReason"] == 0
    assert bill["serviceType"] == "001"
    assert bill["appKey"] == sim.settings.app_key
    assert bill["bindNum"] == bill["callerNum"] == "+8675528000002"
    assert bill["calleeNum"] == "+8613800000000"
    assert bill["hostName"] == "callenabler245.huaweicaas.com"
    assert bill["ttsPlayTimes"] == 3 and isinstance(bill["ttsTransDuration"], int)
    assert bill["userData"] == "order-42"
    assert "failTime" not in bill and "callOutUnaswRsn" not in bill


async def test_status_events_are_sent_once_even_if_refused(sim):
    sim.receiver.answer("/status", 500, 500, 500, 500)
    await sim.client.call_verify(**sim.verify_request())
    await sim.advance(3 * 3600)
    assert [e for e, _ in sim.receiver.events()] == ["callout", "alerting", "answer", "disconnect"]
    states = [p.state for p in sim.platform.delivery.pushes if p.kind == "status"]
    assert states == ["failed"] * 4


async def test_every_push_verifies_with_the_apps_secret(sim):
    await sim.client.call_verify(**sim.verify_request())
    await sim.advance(60)
    assert len(sim.receiver.got) == 5
    for r in sim.receiver.got:
        assert r.headers["Authorization"] == 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"'
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', r.headers["X-AKSK"]))
        assert attrs["Username"] == sim.settings.app_key
        assert r.headers["Content-Type"] == "application/json;charset=UTF-8"
        expected = push_digest(sim.settings.app_secret, r.url, attrs["Nonce"], attrs["Created"])
        assert attrs["PasswordDigest"] == expected


async def test_push_digest_variant_without_newlines(make_sim):
    s = await make_sim(push_newlines=False)
    await s.client.call_verify(**s.verify_request())
    await s.advance(1)
    r = s.receiver.got[0]
    attrs = dict(re.findall(r'(\w+)="([^"]*)"', r.headers["X-AKSK"]))
    assert attrs["PasswordDigest"] == push_digest(s.settings.app_secret, r.url, attrs["Nonce"], attrs["Created"],
                                                  newlines=False)


async def test_app_default_urls_used_when_request_has_none(make_sim, receiver):
    s = await make_sim(status_url=receiver.url("/app-status"), fee_url=receiver.url("/app-fee"))
    await s.client.call_verify(**s.verify_request(statusUrl=None, feeUrl=None))
    await s.advance(60)
    assert len(receiver.on("/app-status")) == 4
    assert len(receiver.on("/app-fee")) == 1


async def test_times_zero_loops_until_the_callee_hangs_up(sim):
    await sim.client.call_verify(**sim.verify_request(times=0, verifyCode="12"))
    await sim.advance(120)
    (bill,) = sim.receiver.bills()
    assert bill["ttsPlayTimes"] == sim.settings.loop_plays


async def test_deliveries_endpoint_lists_attempts(sim):
    sim.receiver.answer("/fee", 500)
    await sim.client.call_verify(**sim.verify_request())
    await sim.advance(60)
    session = sim.client._session
    async with session.get(sim.base_url + "/_sim/deliveries?kind=bill") as resp:
        doc = await resp.json()
    (push,) = doc["deliveries"]
    assert push["state"] == "retrying"
    assert push["attempts"][0]["status"] == 500 and push["attempts"][0]["ok"] is False
    assert doc["owedBills"] == 1


async def test_scaled_clock_plays_a_whole_call_in_real_time(aiohttp_server, receiver):
    """The real-time scheduler (not the manual one): speed 100 plays a 20 s call in 0.2 s."""
    import asyncio

    from simulator import Platform, Settings, create_app
    from simulator.client import VoiceClient

    platform = Platform(Settings(speed=100))
    receiver.clock = platform.clock
    server = await aiohttp_server(create_app(platform=platform), host="127.0.0.1")
    async with VoiceClient(str(server.make_url("")).rstrip("/")) as client:
        reply = await client.call_verify(displayNbr="+8675528000002", calleeNbr="+8613800000000", languageType=2,
                                         preTone="pretone.wav", verifyCode="123456",
                                         statusUrl=receiver.b64("/status"), feeUrl=receiver.b64("/fee"))
    assert reply["resultcode"] == "0"
    for _ in range(200):
        if receiver.on("/fee"):
            break
        await asyncio.sleep(0.02)
    assert [e for e, _ in receiver.events()] == ["callout", "alerting", "answer", "disconnect"]
    assert [b["sessionId"] for b in receiver.bills()] == [reply["sessionId"]]
