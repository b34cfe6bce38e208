"""Hostile bodies, URLs and headers on the platform API: the platform's own answer, never a 500,
and the call placed before still gets every event and its bill."""
from __future__ import annotations

import base64
import json
from typing import Any

import aiohttp
import pytest

from simulator.api import paths
from simulator.auth import request_headers
from tests.helpers import assert_unharmed, call_before

VERIFY = paths.VERIFY


def _b64(url: str) -> str:
    return base64.b64encode(url.encode()).decode()


async def _post_raw(sim: Any, raw: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        async with session.post(sim.base_url + VERIFY, data=raw,
                                headers=headers if headers is not None else sim.client.headers()) as r:
            return r.status, await r.json(content_type=None)


def _body_with(sim: Any, field: str, literal: str) -> bytes:
    """The example request with ``field`` set to a raw JSON ``literal`` (NaN, 1e999, ...)."""
    body = sim.verify_request()
    body.pop(field, None)
    return json.dumps(body).replace("}", f', "{field}": {literal}}}').encode()


BODIES = [
    ("NaN", "times", "NaN", "Invalid request.body is not valid JSON: NaN is not a number JSON allows"),
    ("Infinity", "times", "Infinity", "Invalid request.body is not valid JSON: Infinity is not"),
    ("-Infinity", "languageType", "-Infinity", "Invalid request.body is not valid JSON: -Infinity is not"),
    ("1e999", "times", "1e999", "Invalid request.body is not valid JSON: the number 1e999 is out of range"),
    ("1e308", "times", "1e308", "Invalid request.times must be an integer"),
    ("5000 digits", "languageType", "1" * 5000, "Invalid request.body is not valid JSON"),
    ("40 levels", "userData", "[" * 40 + "]" * 40, "Invalid request.body is nested too deeply"),
    ("lone surrogate key", "\\udc00", '"x"', "Invalid request.body contains an unpaired UTF-16 surrogate escape"),
]


@pytest.mark.parametrize("name,field,literal,desc", BODIES, ids=[b[0] for b in BODIES])
async def test_numbers_that_are_not_numbers_and_deep_bodies_are_refused(sim, name, field, literal, desc):
    before = await call_before(sim)
    status, doc = await _post_raw(sim, _body_with(sim, field, literal))
    assert (status, doc["resultcode"], doc["sessionId"]) == (403, "1010002", "")
    assert doc["resultdesc"].startswith(desc)
    await assert_unharmed(sim, before)


URLS = [
    ("IPv6-looking host", "http://[::1/status", "does not parse as a URL"),
    ("bad IPv6", "http://[zz]/status", "does not parse as a URL"),
    ("port past 65535", "http://127.0.0.1:99999/status", "does not parse as a URL"),
    ("port 0", "http://127.0.0.1:0/status", "has port 0"),
    ("space in host", "http://exa mple/status", "contains spaces or control characters"),
    ("header injection", "http://h/s\r\nX-Evil: 1", "contains spaces or control characters"),
    ("no host", "http:///status", "is not an http or https URL with a host"),
]


@pytest.mark.parametrize("name,url,words", URLS, ids=[u[0] for u in URLS])
@pytest.mark.parametrize("field", ["statusUrl", "feeUrl"])
async def test_push_urls_that_cannot_be_sent_to_are_refused_when_given(sim, field, name, url, words):
    before = await call_before(sim)
    reply = await sim.client.call_verify(**sim.verify_request(**{field: _b64(url)}))
    assert (reply.status, reply["resultcode"]) == (403, "1010002")
    assert reply["resultdesc"].startswith(f"Invalid request.{field} must encode an http or https URL")
    assert words in reply["resultdesc"]
    await assert_unharmed(sim, before)


def _signed(sim: Any, **replace: str) -> dict[str, str]:
    headers = request_headers(sim.app_key, sim.app_secret)
    headers.update(replace)
    headers["Content-Type"] = "application/json"
    return headers


async def test_non_ascii_digest_is_an_invalid_digest_not_a_crash(sim):
    before = await call_before(sim)
    good = _signed(sim)["X-AKSK"]
    digest = good.split('PasswordDigest="')[1].split('"')[0]
    for wrong in ("\u00e4" * 44, "\u2603", digest[:-1] + "\u00e9"):
        x_aksk = good.replace(digest, wrong).encode("utf-8").decode("latin-1")  # the UTF-8 bytes on the wire
        body = json.dumps(sim.verify_request()).encode()
        status, doc = await _post_raw(sim, body, _signed(sim, **{"X-AKSK": x_aksk}))
        assert (status, doc["resultcode"]) == (401, "1010010")
    await assert_unharmed(sim, before)


HEADERS = [
    ("non-ASCII Authorization", {"Authorization": "AKSK r\u00e9alm=\"SDP\""}, 400, "1023007"),
    ("8 KB of letters in X-AKSK", {"X-AKSK": "UsernameToken " + "a" * 8000}, 400, "1023034"),
    ("8 KB of commas in X-AKSK", {"X-AKSK": "UsernameToken " + "," * 8000}, 400, "1023034"),
    ("8 KB of quotes in X-AKSK", {"X-AKSK": "UsernameToken " + '"' * 8000}, 400, "1023034"),
    ("8 KB of attributes in Authorization", {"Authorization": "AKSK " + 'a="1",' * 1300}, 400, "1023007"),
    ("8 KB of open quotes in Authorization", {"Authorization": 'AKSK realm="' * 600}, 400, "1023007"),
]


@pytest.mark.parametrize("name,replace,status,code", HEADERS, ids=[h[0] for h in HEADERS])
async def test_long_and_hostile_auth_headers_get_the_auth_answer(sim, name, replace, status, code):
    before = await call_before(sim)
    wire = {k: v.encode("utf-8").decode("latin-1") for k, v in replace.items()}
    got_status, doc = await _post_raw(sim, json.dumps(sim.verify_request()).encode(), _signed(sim, **wire))
    assert (got_status, doc["resultcode"]) == (status, code)
    await assert_unharmed(sim, before)
