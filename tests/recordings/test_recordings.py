"""Recordings end to end: a recorded callback's bill, the 301 address, a real WAV, expiry."""
from __future__ import annotations

import io
import wave
from urllib.parse import parse_qs, urlsplit

import aiohttp

from simulator.recordings import object_name
from tests.helpers import DISPLAY, DISPLAY_B, callback_body

DAY = 86400


async def recorded_call(make_sim, talk: float, **fields):
    sim = await make_sim(display_numbers=(DISPLAY, DISPLAY_B), callback_talk=talk)
    reply = await sim.client.click_to_call(**callback_body(sim, recordFlag="true", **fields))
    assert reply["resultcode"] == "0"
    return sim, reply["sessionId"]


async def test_recording_is_a_wav_as_long_as_the_bridged_talk(make_sim):
    sim, sid = await recorded_call(make_sim, 12.5)
    await sim.advance(60)
    (bill,) = sim.receiver.bills()
    assert bill["recordFlag"] == 1
    assert bill["recordStartTime"] == bill["fwdAnswerTime"]
    assert bill["recordObjectName"] == object_name(sid) and bill["recordObjectName"].endswith(".wav")
    assert bill["recordBucketName"] and bill["recordDomain"] == sim.settings.record_domain
    query = parse_qs(urlsplit(bill["recordFileDownloadUrl"]).query)
    assert query == {"fileName": [bill["recordObjectName"]], "recordDomain": [bill["recordDomain"]]}

    reply = await sim.client.record_url(bill["recordObjectName"], bill["recordDomain"])
    assert reply.status == 301
    location = reply.headers["Location"]
    data = await sim.client.download(location)
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getcomptype()) == (1, 8000, "NONE")
        assert wav.getsampwidth() == 2
        assert wav.getnframes() / wav.getframerate() == 12.5  # B answered to hang-up, not A's answer
        assert any(wav.readframes(800))  # not an empty file of silence

    # the bill's own URL is the recording API: signed, it answers the same way
    async with aiohttp.ClientSession() as s:
        async with s.get(bill["recordFileDownloadUrl"], headers=sim.client.headers(), allow_redirects=True) as r:
            assert r.status == 200 and r.headers["Content-Type"] == "audio/wav"
            assert len(await r.read()) == len(data)


async def test_a_call_under_three_seconds_has_nothing_to_fetch(make_sim):
    sim, sid = await recorded_call(make_sim, 2.9)
    await sim.advance(60)
    (bill,) = sim.receiver.bills()
    assert bill["recordFlag"] == 0
    assert not any(k.startswith("record") and k != "recordFlag" for k in bill)
    reply = await sim.client.record_url(object_name(sid), sim.settings.record_domain)
    assert reply.status == 404
    assert reply.body == {"resultcode": "1010002", "resultdesc": f"Invalid request.{object_name(sid)} does not exist"}


async def test_recordings_expire_after_seven_simulated_days(make_sim):
    sim, sid = await recorded_call(make_sim, 5)
    await sim.advance(60)
    (bill,) = sim.receiver.bills()
    name, domain = bill["recordObjectName"], bill["recordDomain"]
    location = (await sim.client.record_url(name, domain)).headers["Location"]
    await sim.advance(7 * DAY - 120)
    assert (await sim.client.record_url(name, domain)).status == 301
    await sim.advance(120)
    reply = await sim.client.record_url(name, domain)
    assert reply.status == 404 and reply["resultcode"] == "1010002" and "expired" in reply["resultdesc"]
    async with aiohttp.ClientSession() as s:
        async with s.get(location) as r:
            assert r.status == 404 and (await r.json())["resultcode"] == "1010002"


async def test_unknown_names_wrong_domain_and_live_calls_are_refused(make_sim):
    sim, sid = await recorded_call(make_sim, 30)
    await sim.advance(20)  # still talking: no file yet
    name, domain = object_name(sid), sim.settings.record_domain
    assert (await sim.client.record_url(name, domain)).status == 404
    await sim.advance(60)
    assert (await sim.client.record_url(name, domain)).status == 301
    assert (await sim.client.record_url(name, "other.example.com")).status == 404
    assert (await sim.client.record_url("nothing.wav", domain)).status == 404
    missing = await sim.client.record_url("", domain)
    assert missing.status == 403 and "fileName is required" in missing["resultdesc"]
    async with aiohttp.ClientSession() as s:
        async with s.get(sim.base_url + "/rest/provision/voice/record/v1.0", params={"fileName": name}) as r:
            assert r.status == 400 and (await r.json())["resultcode"] == "1023006"  # auth as everywhere


async def test_a_stopped_call_is_recorded_up_to_the_stop(make_sim):
    sim, sid = await recorded_call(make_sim, 60)
    await sim.advance(8 + 4.25)  # bridged at 8 s
    await sim.client.call_stop(sid)
    await sim.advance(10)
    (bill,) = sim.receiver.bills()
    reply = await sim.client.record_url(bill["recordObjectName"], bill["recordDomain"])
    with wave.open(io.BytesIO(await sim.client.download(reply.headers["Location"]))) as wav:
        assert wav.getnframes() == 4.25 * 8000


async def test_no_recording_without_record_flag(make_sim):
    sim = await make_sim(display_numbers=(DISPLAY, DISPLAY_B))
    reply = await sim.client.click_to_call(**callback_body(sim, recordFlag="false"))
    await sim.advance(60)
    assert sim.receiver.bills()[0]["recordFlag"] == 0
    assert (await sim.client.record_url(object_name(reply["sessionId"]), sim.settings.record_domain)).status == 404


async def test_the_store_forgets_short_calls_and_keeps_no_call_once_ended(make_sim):
    sim, short_sid = await recorded_call(make_sim, 2)
    await sim.advance(60)
    sim.platform.settings.callback_talk = 5.0
    reply = await sim.client.click_to_call(**callback_body(sim, recordFlag="true"))
    await sim.advance(10)  # B answered: recording starts
    store = sim.platform.recordings
    assert object_name(short_sid) not in store.items  # nothing to fetch, nothing kept
    await sim.advance(60)
    await sim.client.click_to_call(**callback_body(sim, recordFlag="true"))
    await sim.advance(10)
    assert store.items[object_name(reply["sessionId"])].call is None  # ended: a few numbers, not the call


async def test_another_apps_recording_is_not_found_and_an_app_without_recording_is_not_recorded(make_sim):
    from simulator.client import VoiceClient
    from simulator.config import AppConfig

    other = AppConfig("otherAppKey0001", "otherSecret0001", (DISPLAY, DISPLAY_B), can_record=False)
    sim = await make_sim(display_numbers=(DISPLAY, DISPLAY_B), extra_apps=[other])
    reply = await sim.client.click_to_call(**callback_body(sim, recordFlag="true"))
    async with VoiceClient(sim.base_url, other.key, other.secret) as client:
        mine = await client.click_to_call(**callback_body(sim, recordFlag="true"))
        await sim.advance(60)
        name, domain = object_name(reply["sessionId"]), sim.settings.record_domain
        assert (await sim.client.record_url(name, domain)).status == 301
        assert (await client.record_url(name, domain)).status == 404  # the first app's recording
        bills = {b["sessionId"]: b for b in sim.receiver.bills()}
        assert bills[mine["sessionId"]]["recordFlag"] == 0
        assert (await client.record_url(object_name(mine["sessionId"]), domain)).status == 404


async def test_head_on_the_download_address_gives_its_size_without_the_audio(make_sim):
    sim, sid = await recorded_call(make_sim, 5.0)
    await sim.advance(60)
    (bill,) = sim.receiver.bills()
    location = (await sim.client.record_url(bill["recordObjectName"], bill["recordDomain"])).headers["Location"]
    async with aiohttp.ClientSession() as s:
        async with s.head(location) as r:
            assert r.status == 200 and r.headers["Content-Type"] == "audio/wav"
            assert int(r.headers["Content-Length"]) == 44 + 5 * 8000 * 2
            assert await r.read() == b""


async def test_a_file_name_is_read_from_the_query_exactly_once_decoded(sim):
    # "%41" in a name travels as "%2541": the platform reads back "%41", never "A"
    reply = await sim.client.record_url("rec%41 & co+1.wav", sim.settings.record_domain)
    assert reply.status == 404
    assert reply["resultdesc"].endswith("rec%41 & co+1.wav does not exist"), reply.body
