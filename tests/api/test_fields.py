"""Every field rule of the verification-code API, with the platform's exact answer."""
from __future__ import annotations

import base64
import json

import aiohttp
import pytest

from simulator.media import Media

MISSING = None  # verify_body drops fields set to None

INVALID = [
    # (field, value, words the description must contain)
    ("displayNbr", MISSING, "displayNbr is required"),
    ("displayNbr", 8675528000002, "displayNbr must be a string"),
    ("calleeNbr", MISSING, "calleeNbr is required"),
    ("calleeNbr", "13800000000", "calleeNbr must be in global format"),
    ("calleeNbr", "+86138-0000-000", "calleeNbr must be in global format"),
    ("calleeNbr", "+0123456789", "calleeNbr must be in global format"),
    ("calleeNbr", "+86", "calleeNbr must be 4-31 characters long"),
    ("calleeNbr", "+" + "1" * 31, "calleeNbr must be 4-31 characters long"),
    ("calleeNbr", "+8607552800000", "calleeNbr must drop the area code's leading 0"),
    ("languageType", MISSING, "languageType is required"),
    ("languageType", "2", "languageType must be an integer"),
    ("languageType", True, "languageType must be an integer"),
    ("languageType", 2.5, "languageType must be an integer"),
    ("languageType", 7, "languageType must be one of 2"),
    ("preTone", MISSING, "preTone is required"),
    ("preTone", "", "preTone must be 1-128 characters long"),
    ("preTone", "x" * 129, "preTone must be 1-128 characters long"),
    ("preTone", "nosuch.wav", "nosuch.wav does not exist"),
    ("verifyCode", MISSING, "verifyCode is required"),
    ("verifyCode", "1", "verifyCode must be 2-8 characters long"),
    ("verifyCode", "123456789", "verifyCode must be 2-8 characters long"),
    ("verifyCode", "12a4", "verifyCode must contain digits 0-9 only"),
    ("verifyCode", 1234, "verifyCode must be a string"),
    ("posTone", "missing.wav", "missing.wav does not exist"),
    ("posTone", 5, "posTone must be a string"),
    ("times", -1, "times must be between 0 and 9"),
    ("times", 10, "times must be between 0 and 9"),
    ("times", "3", "times must be an integer"),
    ("statusUrl", "http://127.0.0.1/status", "statusUrl must be the Base64 encoding of a URL"),
    ("statusUrl", base64.b64encode(b"ftp://host/x").decode(), "statusUrl must encode an http or https URL"),
    ("statusUrl", "x" * 129, "statusUrl must be 1-128 characters long"),
    ("feeUrl", "%%%", "feeUrl must be the Base64 encoding of a URL"),
    ("returnIdlePort", "yes", 'returnIdlePort must be "true" or "false"'),
    ("returnIdlePort", True, 'returnIdlePort must be "true" or "false"'),
    ("userData", "", "userData must be 1-256 characters long"),
    ("userData", "u" * 257, "userData must be 1-256 characters long"),
    ("userData", {"a": 1}, "userData must be a string"),
]


@pytest.mark.parametrize("field,value,words", INVALID, ids=[f"{f}={v!r}"[:40] for f, v, _ in INVALID])
async def test_field_rule(sim, field, value, words):
    reply = await sim.client.call_verify(**sim.verify_request(**{field: value}))
    assert reply.status == 403
    assert reply["resultcode"] == "1010002"
    assert reply["resultdesc"].startswith("Invalid request." + words)
    assert reply["sessionId"] == ""
    assert sim.platform.engine.started == 0


VALID = [
    ("calleeNbr", "+8675528000001"),  # fixed line: +86, area code without 0, number
    ("calleeNbr", "+4915112345678"),
    ("verifyCode", "12"),
    ("verifyCode", "12345678"),
    ("times", 0),
    ("times", 9),
    ("posTone", "postone.wav"),
    ("userData", "u" * 256),
    ("returnIdlePort", "false"),
    ("unknownField", "ignored"),
]


@pytest.mark.parametrize("field,value", VALID, ids=[f"{f}={v!r}"[:40] for f, v in VALID])
async def test_valid_values_are_accepted(sim, field, value):
    reply = await sim.client.call_verify(**sim.verify_request(**{field: value}))
    assert (reply.status, reply["resultcode"]) == (200, "0")


async def test_display_number_not_owned(sim):
    reply = await sim.client.call_verify(**sim.verify_request(displayNbr="+8675528000099"))
    assert (reply.status, reply["resultcode"], reply["resultdesc"]) == (403, "1010023", "Display number invalid.")


async def test_unapproved_audio_is_refused_like_a_missing_one(make_sim):
    s = await make_sim()
    s.platform.media.put(Media("review.wav", state="pending"))
    s.platform.media.put(Media("nope.wav", state="rejected"))
    for name in ("review.wav", "nope.wav"):
        reply = await s.client.call_verify(**s.verify_request(preTone=name))
        assert (reply.status, reply["resultdesc"]) == (403, f"Invalid request.{name} does not exist")


async def test_idle_port_is_an_integer_when_asked(sim):
    reply = await sim.client.call_verify(**sim.verify_request(returnIdlePort="true"))
    assert reply["idlePort"] == 65534 and type(reply["idlePort"]) is int


BODY_CASES = [
    ("not JSON", b"{not json", "application/json", 403, "Invalid request.body is not valid JSON"),
    ("JSON array", b"[1, 2]", "application/json", 403, "Invalid request.body must be a JSON object"),
    ("wrong content type", b"{}", "text/plain", 403, "Invalid request.Content-Type must be application/json"),
    ("not UTF-8", b'{"a": "\xff"}', "application/json", 403, "Invalid request.body is not valid JSON"),
    ("too large", b'{"userData": "' + b"x" * 70000 + b'"}', "application/json", 413,
     "Invalid request.body must not exceed 65536 bytes"),
]


@pytest.mark.parametrize("name,raw,ctype,status,desc", BODY_CASES, ids=[c[0] for c in BODY_CASES])
async def test_bad_bodies(sim, name, raw, ctype, status, desc):
    headers = sim.client.headers()
    headers["Content-Type"] = ctype
    async with aiohttp.ClientSession() as session:
        async with session.post(sim.base_url + "/rest/httpsessions/callVerify/v1.0", data=raw,
                                headers=headers) as r:
            doc = await r.json(content_type=None)
            assert r.status == status
            assert r.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert doc["resultcode"] == "1010002"
    assert doc["resultdesc"].startswith(desc)
    assert sim.platform.engine.started == 0


async def test_wrong_path_and_wrong_method(sim):
    async with aiohttp.ClientSession() as session:
        await _wrong_path_and_method(sim, session)


async def _wrong_path_and_method(sim, session):
    async with session.post(sim.base_url + "/rest/httpsessions/callVerify/v9.9", json={}) as r:
        assert r.status == 404
        assert (await r.json(content_type=None))["resultcode"] == "1010006"
    async with session.get(sim.base_url + "/rest/httpsessions/callVerify/v1.0") as r:
        assert r.status == 405
        assert (await r.json(content_type=None))["resultdesc"].startswith("Invalid Rest API.")


@pytest.mark.parametrize("field", ["userData", "preTone", "calleeNbr"])
async def test_an_unpaired_surrogate_escape_is_refused_and_holds_no_port(sim, field):
    raw = json.dumps(sim.verify_request(returnIdlePort="true")).replace("}", f', "{field}": "x\\ud800y"}}')
    async with aiohttp.ClientSession() as session:
        async with session.post(sim.base_url + "/rest/httpsessions/callVerify/v1.0", data=raw.encode(),
                                headers=sim.client.headers()) as r:
            doc = await r.json(content_type=None)
            assert (r.status, doc["resultcode"]) == (403, "1010002")
            assert doc["resultdesc"] == "Invalid request.body contains an unpaired UTF-16 surrogate escape"
    ok = await sim.client.call_verify(**sim.verify_request(returnIdlePort="true", userData="\U0001F600 pair is fine"))
    assert ok["resultcode"] == "0" and ok["idlePort"] == 65534


async def test_a_deeply_nested_body_is_refused_not_crashed(sim):
    async with aiohttp.ClientSession() as session:
        async with session.post(sim.base_url + "/rest/httpsessions/callVerify/v1.0", data=b"[" * 10_000,
                                headers=sim.client.headers()) as r:
            doc = await r.json(content_type=None)
    assert (r.status, doc["resultcode"]) == (403, "1010002")
    assert doc["resultdesc"] == "Invalid request.body is nested too deeply"
