"""Hostile bodies and queries on /_sim/: ``{"error", "status"}``, never a 500, state unchanged, and
the call placed before still gets every event and its bill."""
from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.helpers import assert_unharmed, call_before


async def _raw(sim: Any, method: str, path: str, data: bytes | None = None,
               headers: dict[str, str] | None = None) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as s:
        async with s.request(method, sim.base_url + path, data=data, headers=headers) as resp:
            assert resp.content_type == "application/json", await resp.text()
            return resp.status, await resp.json()


BODIES = [
    ("media duration NaN", "/_sim/media", b'{"name": "x.wav", "duration": NaN}', 400,
     "body is not valid JSON: NaN is not a number JSON allows"),
    ("media duration 1e999", "/_sim/media", b'{"name": "x.wav", "duration": 1e999}', 400, "out of range"),
    ("media duration 1e308", "/_sim/media", b'{"name": "x.wav", "duration": 1e308}', 400,
     "duration must be between 0 and 3600"),
    ("media name with NUL", "/_sim/media", b'{"name": "x\\u0000.wav"}', 400, "name must not contain a NUL"),
    ("media lone surrogate", "/_sim/media", b'{"name": "\\ud800.wav"}', 400, "unpaired UTF-16 surrogate"),
    ("clock advance NaN", "/_sim/clock", b'{"advance": NaN}', 400, "NaN is not a number JSON allows"),
    ("clock advance 1e308", "/_sim/clock", b'{"advance": 1e308}', 400, "advance must be between 0 and"),
    ("clock speed Infinity", "/_sim/clock", b'{"speed": Infinity}', 400, "Infinity is not a number JSON allows"),
    ("ports 5000 digits", "/_sim/ports", b'{"capacity": ' + b"9" * 5000 + b"}", 400, "body is not valid JSON"),
    ("ports 40 levels", "/_sim/ports", b'{"capacity": ' + b"[" * 40 + b"]" * 40 + b"}", 400,
     "body is nested too deeply"),
    ("reset 30000 levels", "/_sim/reset", b"[" * 30_000, 400, "body is nested too deeply"),
    ("too large", "/_sim/scenarios", b'{"yaml": "' + b"x" * 70_000 + b'"}', 413, "body is too large"),
    ("app key with a quote", "/_sim/apps", b'{"key": "a\\"b", "secret": "s"}', 400, "key must be 1-128 letters"),
    ("app key with NUL", "/_sim/apps", b'{"key": "a\\u0000b", "secret": "s"}', 400, "key must be 1-128 letters"),
    ("app secret with NUL", "/_sim/apps", b'{"key": "k1", "secret": "s\\u0000"}', 400,
     "secret must not contain a NUL character"),
    ("app statusUrl IPv6-looking", "/_sim/apps", b'{"key": "k1", "secret": "s", "statusUrl": "http://[::1/s"}',
     400, "statusUrl does not parse as a URL"),
    ("app quota huge", "/_sim/apps", b'{"key": "k1", "secret": "s", "quota": 1' + b"0" * 30 + b"}", 400,
     "quota must be 0-65535"),
]


@pytest.mark.parametrize("name,path,raw,status,words", BODIES, ids=[b[0] for b in BODIES])
async def test_hostile_bodies_are_refused_in_the_control_shape(sim, name, path, raw, status, words):
    before = await call_before(sim)
    media_before = await sim.control_api.request("GET", "media")
    got, doc = await _raw(sim, "POST", path, raw, {"Content-Type": "application/json"})
    assert got == status and doc["status"] == status, doc
    assert words in doc["error"]
    media_after = await sim.control_api.request("GET", "media")
    assert media_after.body == media_before.body  # still valid JSON, nothing half-registered
    assert (await sim.control_api.clock())["nowEpoch"] == sim.now()
    await assert_unharmed(sim, before)


QUERIES = [
    ("/_sim/calls?limit=" + "9" * 5000, "limit must be an integer"),
    ("/_sim/events?since=yesterday%00", "since must be epoch seconds"),
    ("/_sim/calls?state=%ED%A0%80", "state must be one of"),
]


@pytest.mark.parametrize("path,words", QUERIES)
async def test_hostile_queries_are_refused(sim, path, words):
    before = await call_before(sim)
    status, doc = await _raw(sim, "GET", path)
    assert (status, doc["status"]) == (400, 400) and words in doc["error"]
    await assert_unharmed(sim, before)


async def test_a_non_ascii_bearer_token_is_a_401_not_a_crash(make_sim):
    sim = await make_sim(control_token="s3cret")
    for wrong in ("Bearer s3cr\u00e9t", "Bearer \u2603", "\u00ff" * 100):
        status, doc = await _raw(sim, "GET", "/_sim/health",
                                 headers={"Authorization": wrong.encode("utf-8").decode("latin-1")})
        assert (status, doc["status"]) == (401, 401)
    status, _ = await _raw(sim, "GET", "/_sim/health", headers={"Authorization": "Bearer s3cret"})
    assert status == 200
