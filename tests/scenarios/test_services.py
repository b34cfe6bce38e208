"""Scenarios and API chaos reach the notification and callback services too."""
from __future__ import annotations

from tests.helpers import DISPLAY, DISPLAY_B, A, callback_body, notify_body


async def test_busy_notification_is_unanswered_and_speaks_nothing(make_sim):
    sim = await make_sim(scenarios=("busy",))
    await sim.client.call_notify(**notify_body(sim, {"templateId": "TPL_DEMO", "templateParas": ["123456"]}))
    await sim.advance(60)
    assert [e for e, _ in sim.receiver.events()] == ["callout", "disconnect"]
    (bill,) = sim.receiver.bills()
    assert bill["callOutUnaswRsn"] == 17 and "ttsPlayTimes" not in bill and "callOutAnswerTime" not in bill


async def test_short_call_cuts_a_notification_before_its_digits(make_sim):
    sim = await make_sim()
    sim.platform.scenarios.activate_text("name: s\noutcomes: [{outcome: answered, ring: 2s, talk: 3s}]\n")
    await sim.client.call_notify(**notify_body(sim, {"notifyVoice": "notifyvoice.wav", "collectInd": 4}))
    t0 = sim.clock.now()
    await sim.advance(60)
    got = sim.receiver.on("/status")
    assert [(r.body["eventType"], r.at - t0) for r in got] == [
        ("callout", 0), ("alerting", 1), ("answer", 3), ("disconnect", 6)]  # hung up mid-playback: no digits
    assert got[-1].body["statusInfo"]["stateCode"] == 8017


async def test_callback_scenario_matches_the_first_leg(make_sim):
    sim = await make_sim(display_numbers=(DISPLAY, DISPLAY_B))
    sim.platform.scenarios.activate_text(
        f'name: a-off\nmatch: {{callee: "{A}"}}\noutcomes: [{{outcome: powered_off}}]\n')
    await sim.client.click_to_call(**callback_body(sim))
    await sim.advance(120)
    events = sim.receiver.events()
    assert [e for e, _ in events] == ["callout", "disconnect"] and events[-1][1]["stateCode"] == 8104
    (bill,) = sim.receiver.bills()
    assert bill["serviceType"] == "002" and bill["callOutUnaswRsn"] == 20 and "fwdAnswerTime" not in bill


async def test_callback_keeps_both_legs_under_status_chaos_without_loss(make_sim):
    sim = await make_sim(display_numbers=(DISPLAY, DISPLAY_B))
    sim.platform.scenarios.activate_text("name: d\noutcomes: [{outcome: answered}]\nchaos: {status: {duplicate: 1}}\n")
    await sim.client.click_to_call(**callback_body(sim))
    await sim.advance(120)
    names = [e for e, _ in sim.receiver.events()]
    assert names == [n for n in ["callout", "alerting", "answer", "callout", "alerting", "answer", "disconnect"]
                     for _ in (0, 1)]


async def test_outage_refuses_every_api(make_sim):
    sim = await make_sim(display_numbers=(DISPLAY, DISPLAY_B))
    live = await sim.client.click_to_call(**callback_body(sim))
    sim.platform.activate_scenario("outage")
    await sim.advance(30)
    for reply in (await sim.client.call_notify(**notify_body(sim)),
                  await sim.client.click_to_call(**callback_body(sim)),
                  await sim.client.call_stop(live["sessionId"]),
                  await sim.client.call_verify(**sim.verify_request())):
        assert reply.status == 500 and reply["resultcode"] == "1010001", reply.body
    await sim.advance(60)
    assert (await sim.client.call_notify(**notify_body(sim)))["resultcode"] == "0"


async def test_ports_insufficient_outcome_hangs_up_with_7109(sim):
    sim.platform.scenarios.activate_text("name: p\noutcomes: [{outcome: ports_insufficient}]\n")
    await sim.client.call_verify(**sim.verify_request())
    await sim.advance(60)
    events = sim.receiver.events()
    assert [e for e, _ in events] == ["callout", "disconnect"] and events[-1][1]["stateCode"] == 7109
    (bill,) = sim.receiver.bills()
    assert (bill["ulFailReason"], bill["callOutUnaswRsn"], bill["sipStatusCode"]) == (522, 34, 503)
