"""``/_sim/media``: list, register, review; what the APIs then accept."""
from __future__ import annotations

import aiohttp
import pytest

from simulator.media import Media


async def test_list_shows_the_defaults_with_their_states(sim):
    async with aiohttp.ClientSession() as s:
        async with s.get(sim.base_url + "/_sim/media") as r:
            doc = await r.json()
    by_name = {m["name"]: m for m in doc["media"]}
    assert by_name["TPL_DEMO"]["kind"] == "template" and by_name["TPL_DEMO"]["state"] == "approved"
    assert by_name["pretone.wav"]["state"] == "approved"


@pytest.mark.parametrize("doc, text", [
    ({"name": "x.wav", "state": "maybe"}, "state must be one of"),
    ({"name": "x.mp3"}, "audio files must be .wav"),
    ({"name": "T", "kind": "template", "text": "x" * 901}, "901 bytes"),
    ({"name": "T", "kind": "template", "text": "Hi ${NAME}"}, "unknown template variable"),
    ({"state": "approved"}, "name is required"),
    ({"name": "x.wav", "duration": "2"}, "duration has the wrong type"),
    ({"name": "x.wav", "colour": "red"}, "unknown field"),
])
async def test_bad_registrations_are_refused_with_a_reason(sim, doc, text):
    async with aiohttp.ClientSession() as s:
        async with s.post(sim.base_url + "/_sim/media", json=doc) as r:
            assert r.status == 400
            assert text in (await r.json())["error"]
    assert "x.wav" not in sim.platform.media.items


async def test_approving_then_rejecting_an_audio_file(sim):
    body = sim.verify_request(preTone="new.wav")
    async with aiohttp.ClientSession() as s:
        async with s.post(sim.base_url + "/_sim/media", json={"name": "new.wav", "state": "pending"}) as r:
            assert r.status == 201
        assert (await sim.client.call_verify(**body))["resultcode"] == "1010002"
        async with s.post(sim.base_url + "/_sim/media", json={"name": "new.wav", "state": "approved"}) as r:
            assert r.status == 200
        assert (await sim.client.call_verify(**body))["resultcode"] == "0"
        async with s.post(sim.base_url + "/_sim/media", json={"name": "new.wav", "state": "rejected"}) as r:
            assert r.status == 200
        assert (await sim.client.call_verify(**body))["resultcode"] == "1010002"


def test_config_refuses_a_template_over_900_bytes():
    with pytest.raises(ValueError, match="900"):
        Media("T", kind="template", text="语" * 301)  # 3 bytes a character in UTF-8
    Media("T", kind="template", text="语" * 300)
