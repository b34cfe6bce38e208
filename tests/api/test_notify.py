"""Voice notification end to end: playback, digit collection, approved media only, over real HTTP."""
from __future__ import annotations

import aiohttp

from simulator.clock import utc_text
from tests.helpers import notify_body

NOTIFY_V1 = "/rest/httpsessions/callnotify/v1.0"


async def test_without_collection_the_platform_hangs_up_after_playing(sim):
    reply = await sim.client.call_notify(**notify_body(sim, {"notifyVoice": "notifyvoice.wav"},
                                                       {"templateId": "TPL_DEMO", "templateParas": ["123456"]},
                                                       userData="n-1"))
    assert reply.status == 200 and reply["resultcode"] == "0"
    t0 = sim.clock.now()
    await sim.advance(60)
    events = sim.receiver.events()
    assert [e for e, _ in events] == ["callout", "alerting", "answer", "disconnect"]
    assert all(info["sessionId"] == reply["sessionId"] and info["userData"] == "n-1" for _, info in events)
    # answer at 4 s, then 5 s of notifyvoice.wav and 4 s of TPL_DEMO, then the platform hangs up
    assert events[3][1]["timestamp"] == utc_text(t0 + 4 + 5 + 4)
    assert events[3][1]["stateCode"] == 0
    (bill,) = sim.receiver.bills()
    assert bill["serviceType"] == "001" and bill["recordFlag"] == 0
    assert bill["ttsPlayTimes"] == 1 and bill["ttsTransDuration"] == 4
    assert bill["callEndTime"] == events[3][1]["timestamp"]


async def test_collected_digits_arrive_in_collect_info(sim):
    sim.platform.digits.press("42")
    reply = await sim.client.call_notify(**notify_body(sim, {"notifyVoice": "notifyvoice.wav", "collectInd": 4}))
    t0 = sim.clock.now()
    await sim.advance(60)
    events = sim.receiver.events()
    assert [e for e, _ in events] == ["callout", "alerting", "answer", "collectInfo", "disconnect"]
    collect = events[3][1]
    assert collect["digitInfo"] == "42" and collect["sessionId"] == reply["sessionId"]
    assert collect["timestamp"] == utc_text(t0 + 4 + 5 + 2)  # pressed 2 s after playback
    assert events[4][1]["stateCode"] == 0
    assert sim.receiver.bills()[0]["ulFailReason"] == 0


async def test_default_digits_are_drawn_up_to_collect_ind(make_sim):
    sim = await make_sim(digits_seed=7)
    for _ in range(5):
        await sim.client.call_notify(**notify_body(sim, {"notifyVoice": "welcome.wav", "collectInd": 3}))
    await sim.advance(60)
    digits = [info["digitInfo"] for e, info in sim.receiver.events() if e == "collectInfo"]
    assert len(digits) == 5
    assert all(d.isdigit() and 1 <= len(d) <= 3 for d in digits)


async def test_digit_setting_scripts_every_collection(make_sim):
    sim = await make_sim(collect_digits="123456")
    await sim.client.call_notify(**notify_body(sim, {"notifyVoice": "welcome.wav", "collectInd": 2},
                                               {"notifyVoice": "welcome.wav", "collectInd": 6}))
    await sim.advance(60)
    assert [i["digitInfo"] for e, i in sim.receiver.events() if e == "collectInfo"] == ["12", "123456"]


async def test_nothing_pressed_ends_with_8008_and_teardown_100(sim):
    sim.platform.digits.press("")
    await sim.client.call_notify(**notify_body(sim, {"notifyVoice": "notifyvoice.wav", "collectInd": 1},
                                               {"notifyVoice": "welcome.wav"}))
    t0 = sim.clock.now()
    await sim.advance(60)
    events = sim.receiver.events()
    assert [e for e, _ in events] == ["callout", "alerting", "answer", "disconnect"]
    assert events[3][1]["stateCode"] == 8008
    assert events[3][1]["timestamp"] == utc_text(t0 + 4 + 5 + 5)  # the 5 s window after playback
    assert sim.receiver.bills()[0]["ulFailReason"] == 100


async def test_trigger_digits_replay_the_item(sim):
    sim.platform.digits.press("9", "1")
    await sim.client.call_notify(**notify_body(sim, {"notifyVoice": "welcome.wav", "collectInd": 1,
                                                     "replayAfterCollection": "true",
                                                     "collectContentTriggerReplaying": "9"}))
    await sim.advance(60)
    assert [i["digitInfo"] for e, i in sim.receiver.events() if e == "collectInfo"] == ["9", "1"]


async def test_v1_path_of_the_samples_works(sim):
    reply = await sim.client.post(NOTIFY_V1, notify_body(sim))
    assert reply.status == 200 and reply["resultcode"] == "0"


async def test_unapproved_template_is_refused_until_approved(sim):
    async with aiohttp.ClientSession() as s:
        async with s.post(sim.base_url + "/_sim/media", json={"name": "TPL_NEW", "kind": "template",
                                                             "text": "Hello ${TXT_10}", "state": "pending"}) as r:
            assert r.status == 201
        reply = await sim.client.call_notify(**notify_body(sim, {"templateId": "TPL_NEW", "templateParas": ["Bob"]}))
        assert reply.status == 403
        assert reply.body == {"resultcode": "1010002", "resultdesc": "Invalid request.TPL_NEW does not exist",
                              "sessionId": ""}
        await sim.advance(30)
        assert sim.receiver.got == []
        async with s.post(sim.base_url + "/_sim/media", json={"name": "TPL_NEW", "state": "approved"}) as r:
            assert r.status == 200 and (await r.json())["state"] == "approved"
    reply = await sim.client.call_notify(**notify_body(sim, {"templateId": "TPL_NEW", "templateParas": ["Bob"]}))
    assert reply.status == 200 and reply["resultcode"] == "0"


async def test_unknown_and_rejected_audio_are_refused(make_sim):
    from simulator.media import Media, default_media
    sim = await make_sim(media=default_media() + [Media("bad.wav", state="rejected")])
    for name in ("missing.wav", "bad.wav"):
        reply = await sim.client.call_notify(**notify_body(sim, {"notifyVoice": name}))
        assert reply.status == 403
        assert reply["resultdesc"] == f"Invalid request.{name} does not exist"


async def test_template_paras_are_checked_against_its_variables(sim):
    cases = [
        ({"templateId": "TPL_DEMO"}, "templateParas must have 1 item"),
        ({"templateId": "TPL_DEMO", "templateParas": ["12ab"]}, "${NUM_6} must be 1-6 digits"),
        ({"templateId": "TPL_DEMO", "templateParas": ["1234567"]}, "${NUM_6} must be 1-6 digits"),
        ({"templateId": "TPL_DEMO", "templateParas": "123456"}, "templateParas must be a list of strings"),
    ]
    for item, text in cases:
        reply = await sim.client.call_notify(**notify_body(sim, item))
        assert reply.status == 403 and reply["resultcode"] == "1010002", item
        assert reply["resultdesc"].startswith("Invalid request.playInfoList[0].")
        assert text in reply["resultdesc"], (item, reply["resultdesc"])


async def test_field_rules(sim):
    bad = [
        notify_body(sim, playInfoList=None),
        notify_body(sim, playInfoList=[]),
        notify_body(sim, playInfoList=[{"notifyVoice": "welcome.wav"}] * 6),
        notify_body(sim, {"notifyVoice": "welcome.wav", "templateId": "TPL_DEMO"}),
        notify_body(sim, {}),
        notify_body(sim, {"notifyVoice": "welcome.wav", "collectInd": 33}),
        notify_body(sim, {"notifyVoice": "welcome.wav", "collectInd": "1"}),
        notify_body(sim, {"notifyVoice": "welcome.wav", "replayAfterCollection": True}),
        notify_body(sim, {"notifyVoice": "welcome.wav", "collectContentTriggerReplaying": "#"}),
        notify_body(sim, calleeNbr="13800000000"),
        notify_body(sim, displayNbr=None),
        notify_body(sim, userData=""),
    ]
    for body in bad:
        reply = await sim.client.call_notify(**body)
        assert reply.status == 403 and reply["resultcode"] == "1010002", body
        assert reply["sessionId"] == ""
    reply = await sim.client.call_notify(**notify_body(sim, displayNbr="+8675528000099"))
    assert reply["resultcode"] == "1010023"


async def test_wrong_method_and_auth(sim):
    async with aiohttp.ClientSession() as s:
        async with s.get(sim.base_url + "/rest/httpsessions/callnotify/v2.0") as r:
            assert r.status == 405 and (await r.json())["resultcode"] == "1010006"
        async with s.post(sim.base_url + "/rest/httpsessions/callnotify/v2.0", json=notify_body(sim)) as r:
            assert r.status == 400 and (await r.json())["resultcode"] == "1023006"
