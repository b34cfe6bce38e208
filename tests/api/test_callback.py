"""Voice callback and stop end to end: both legs, forwarding fields, one bill, over real HTTP."""
from __future__ import annotations

import aiohttp

from simulator.clock import utc_text
from tests.helpers import DISPLAY, DISPLAY_B, A, B, callback_body


async def make(make_sim, **settings):
    return await make_sim(display_numbers=(DISPLAY, DISPLAY_B), **settings)


async def test_both_legs_then_one_bill_with_the_forwarding_fields(make_sim):
    sim = await make(make_sim)
    reply = await sim.client.click_to_call(**callback_body(sim, userData="cb-1", returnIdlePort="true"))
    assert reply.status == 200 and reply["resultcode"] == "0" and isinstance(reply["idlePort"], int)
    t0 = sim.clock.now()
    await sim.advance(120)
    events = sim.receiver.events()
    assert [e for e, _ in events] == ["callout", "alerting", "answer", "callout", "alerting", "answer", "disconnect"]
    a_leg = [(i["caller"], i["called"]) for _, i in events[:3]]
    b_leg = [(i["caller"], i["called"]) for _, i in events[3:6]]
    assert a_leg == [(DISPLAY, A)] * 3  # A sees the SP's display number
    assert b_leg == [(DISPLAY_B, B)] * 3  # B sees displayCalleeNbr
    assert all(i["sessionId"] == reply["sessionId"] and i["userData"] == "cb-1" for _, i in events)
    times = [i["timestamp"] for _, i in events]
    # A rings 1 s after callout, answers 3 s later; B is called at once, rings 1 s, answers 3 s; 30 s talk
    assert times == [utc_text(t0 + s) for s in (0, 1, 4, 4, 5, 8, 38)]
    assert events[-1][1]["stateCode"] == 0 and "partyType" not in events[-1][1]

    (bill,) = sim.receiver.bills()
    assert bill["serviceType"] == "002"
    assert bill["callerNum"] == bill["bindNum"] == DISPLAY and bill["calleeNum"] == A
    assert bill["fwdDisplayNum"] == DISPLAY_B and bill["fwdDstNum"] == B
    assert (bill["callOutStartTime"], bill["callOutAlertingTime"], bill["callOutAnswerTime"]) == tuple(times[:3])
    assert (bill["fwdStartTime"], bill["fwdAlertingTime"], bill["fwdAnswerTime"]) == tuple(times[3:6])
    assert bill["callEndTime"] == times[-1]
    assert bill["recordFlag"] == 0 and "recordObjectName" not in bill
    assert bill["userData"] == "cb-1"


async def test_max_duration_ends_the_call_from_b_answer(make_sim):
    sim = await make(make_sim, callback_talk=600.0)
    await sim.client.click_to_call(**callback_body(sim, maxDuration=1))
    t0 = sim.clock.now()
    await sim.advance(700)
    disconnect = sim.receiver.events()[-1]
    assert disconnect[0] == "disconnect"
    assert disconnect[1]["stateCode"] == 8010
    assert disconnect[1]["timestamp"] == utc_text(t0 + 8 + 60)


async def test_pre_voice_delays_the_second_leg_and_party_type_is_reported(make_sim):
    sim = await make(make_sim)
    await sim.client.click_to_call(**callback_body(sim, playPreVoice="true", preVoice="welcome.wav",
                                                   partyTypeRequiredInDisconnect="true"))
    t0 = sim.clock.now()
    await sim.advance(120)
    events = sim.receiver.events()
    assert events[3][0] == "callout" and events[3][1]["timestamp"] == utc_text(t0 + 4 + 3)
    assert events[-1][1]["partyType"] == 1


async def test_stop_ends_a_live_callback_at_once(make_sim):
    sim = await make(make_sim)
    reply = await sim.client.click_to_call(**callback_body(sim))
    sid = reply["sessionId"]
    await sim.advance(10)  # B answered at 8 s
    t_stop = sim.clock.now()
    stop = await sim.client.call_stop(sid)
    assert stop.status == 200 and stop.body == {"resultcode": "0", "resultdesc": "Success"}
    await sim.advance(60)
    events = sim.receiver.events()
    assert [e for e, _ in events][-2:] == ["answer", "disconnect"]
    assert events[-1][1]["timestamp"] == utc_text(t_stop)
    (bill,) = sim.receiver.bills()
    assert bill["callEndTime"] == utc_text(t_stop) and bill["fwdAnswerTime"]
    assert sim.platform.ports.live == 0

    again = await sim.client.call_stop(sid)
    assert again.status == 400 and again["resultcode"] == "1020152"
    unknown = await sim.client.call_stop("1201_1_1_20260101000000@callenabler245.huaweicaas.com")
    assert unknown["resultcode"] == "1020152"


async def test_stop_checks_its_body(sim):
    reply = await sim.client.post("/rest/httpsessions/callStop/v2.0", {"sessionid": "x", "signal": "stop"})
    assert reply.status == 403 and reply["resultcode"] == "1010002" and "signal" in reply["resultdesc"]
    reply = await sim.client.post("/rest/httpsessions/callStop/v2.0", {"sessionId": "x", "signal": "call_stop"})
    assert reply["resultcode"] == "1010002" and "sessionid is required" in reply["resultdesc"]


async def test_field_rules(make_sim):
    sim = await make(make_sim)
    bad = [
        callback_body(sim, callerNbr=None), callback_body(sim, displayCalleeNbr=None),
        callback_body(sim, calleeNbr="0800"), callback_body(sim, maxDuration=1441),
        callback_body(sim, maxDuration="5"), callback_body(sim, lastMinToUE="toc"),
        callback_body(sim, calleeMedia="some"), callback_body(sim, recordFlag=True),
        callback_body(sim, playPreVoice="true"), callback_body(sim, waitVoice="nope.wav"),
        callback_body(sim, lastMinVoice="nope.wav"),
    ]
    for body in bad:
        reply = await sim.client.click_to_call(**body)
        assert reply.status == 403 and reply["resultcode"] == "1010002", body
    reply = await sim.client.click_to_call(**callback_body(sim, lastMinVoice="nope.wav"))
    assert reply["resultdesc"] == "Invalid request.nope.wav does not exist"
    reply = await sim.client.click_to_call(**callback_body(sim, displayCalleeNbr="+8675528000099"))
    assert reply["resultcode"] == "1010023"
    async with aiohttp.ClientSession() as s:
        async with s.get(sim.base_url + "/rest/httpsessions/click2Call/v2.0") as r:
            assert r.status == 405 and (await r.json())["resultcode"] == "1010006"


async def test_bills_of_every_service_merge_in_one_message(make_sim):
    sim = await make(make_sim, callback_talk=6.0)
    # all three end in the same second: verify at 4 + 2 + 2 x 3.4 + 2 = 14.8 s, notify at 4 + 5 + 5 = 14 s,
    # callback at 8 + 6 = 14 s
    await sim.client.call_verify(**sim.verify_request(verifyCode="1234", times=2, posTone="postone.wav"))
    await sim.client.call_notify(displayNbr=DISPLAY, calleeNbr=B, playInfoList=[{"notifyVoice": "notifyvoice.wav"},
                                                                                {"notifyVoice": "notifyvoice.wav"}],
                                 statusUrl=sim.receiver.b64("/status"), feeUrl=sim.receiver.b64("/fee"))
    await sim.client.click_to_call(**callback_body(sim))
    await sim.advance(120)
    messages = sim.receiver.on("/fee")
    assert len(messages) == 1
    assert sorted(b["serviceType"] for b in messages[0].body["feeLst"]) == ["001", "001", "002"]


async def test_a_caller_hanging_up_before_b_answers_ends_8009_at_tear_down_point_530(make_sim):
    sim = await make(make_sim)
    sim.platform.scenarios.activate_text("name: short\noutcomes: [{outcome: answered, talk: 1s}]\n")
    await sim.client.click_to_call(**callback_body(sim))
    await sim.advance(120)
    events = sim.receiver.events()
    assert events[-1][0] == "disconnect" and events[-1][1]["stateCode"] == 8009
    (bill,) = sim.receiver.bills()
    assert bill["ulFailReason"] == 530 and "fwdAnswerTime" not in bill


async def test_a_verification_call_stopped_before_the_answer_bills_no_speech(sim):
    reply = await sim.client.call_verify(**sim.verify_request())
    stop = await sim.client.call_stop(reply["sessionId"])
    assert stop["resultcode"] == "0"
    await sim.advance(60)
    (bill,) = sim.receiver.bills()
    assert "callOutAnswerTime" not in bill and "ttsPlayTimes" not in bill and "ttsTransDuration" not in bill


async def test_a_verification_call_stopped_mid_code_bills_what_was_spoken(sim):
    reply = await sim.client.call_verify(**sim.verify_request())  # answer at +4 s, pretone 2 s, 3 plays of 4.6 s
    await sim.advance(4 + 2 + 5)  # one play and a little of the second
    await sim.client.call_stop(reply["sessionId"])
    await sim.advance(60)
    (bill,) = sim.receiver.bills()
    assert bill["ttsPlayTimes"] == 2 and bill["ttsTransDuration"] == 7
