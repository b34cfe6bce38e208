"""The one /_sim route table: every path answers 405 for a wrong method, every error has one shape,
and control requests are neither journaled nor counted as platform API answers."""
from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest

from simulator.control import TABLE

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def _concrete(path: str) -> str:
    """A request path for a table path: placeholders filled with a value no call or file has."""
    return re.sub(r"\{[^}]+\}", "nosuchthing", path)


async def _raw(sim: Any, method: str, path: str, **kw: Any) -> tuple[int, Any, dict[str, str]]:
    async with aiohttp.ClientSession() as s:
        async with s.request(method, sim.base_url + path, **kw) as resp:
            text = await resp.text()
            try:
                body = await resp.json(content_type=None)
            except ValueError:
                body = text
            return resp.status, body, dict(resp.headers)


async def test_every_control_path_answers_405_with_allow_for_a_method_it_does_not_take(sim):
    checked = 0
    for path, methods in TABLE.items():
        for method in METHODS:
            if method in methods or (method == "HEAD" and "GET" in methods):
                continue
            status, body, headers = await _raw(sim, method, _concrete(path))
            assert status == 405, (method, path, status, body)
            assert body == {"error": body["error"], "status": 405}, (method, path)
            assert method in body["error"] and path.split("{")[0] in body["error"]
            assert set(headers["Allow"].split(", ")) == set(methods), (method, path)
            checked += 1
    # media, scenarios and the dashboard's paths are in the table too (they used to 404 a DELETE)
    assert {"/_sim/media", "/_sim/scenarios", "/_sim/ui", "/_sim/ui/feed"} <= set(TABLE)
    assert checked >= 4 * len(TABLE) - 8


@pytest.mark.parametrize("method, path, body, status", [
    ("GET", "/_sim/nothing-here", None, 404),
    ("DELETE", "/_sim/nothing/here", None, 404),
    ("GET", "/_sim/calls/nosuchcall", None, 404),
    ("GET", "/_sim/calls/nosuchcall/timeline.svg", None, 404),
    ("GET", "/_sim/ui/static/../../config.py", None, 404),
    ("GET", "/_sim/ui/static/nosuch.js", None, 404),
    ("GET", "/_sim/calls?state=bogus", None, 400),
    ("GET", "/_sim/events?limit=many", None, 400),
    ("POST", "/_sim/clock", {"speed": 2}, 409),
    ("POST", "/_sim/clock", {"advance": "soon"}, 400),
    ("POST", "/_sim/ports", {"capacity": -1}, 400),
    ("POST", "/_sim/apps", {"key": "k"}, 400),
    ("POST", "/_sim/media", {"name": 7}, 400),
    ("POST", "/_sim/media", {"name": "x.mp3"}, 400),
    ("POST", "/_sim/media", {"name": "x.wav", "state": "lost"}, 400),
    ("POST", "/_sim/scenarios", {"name": "no-such-scenario"}, 400),
    ("POST", "/_sim/scenarios", {"names": "busy"}, 400),
    ("POST", "/_sim/scenarios", {"yaml": "name: x\n"}, 400),
])
async def test_every_control_error_has_the_one_shape(sim, method, path, body, status):
    got, doc, headers = await _raw(sim, method, path, json=body)
    assert got == status, doc
    assert headers["Content-Type"].startswith("application/json")
    assert isinstance(doc, dict) and doc["status"] == status and isinstance(doc["error"], str) and doc["error"]
    assert set(doc) <= {"error", "status", "problems"}


async def test_an_invalid_scenario_names_its_problems_in_the_error_shape(sim):
    status, doc, _ = await _raw(sim, "POST", "/_sim/scenarios", json={"yaml": "name: x\noutcomes: [{outcome: fly}]\n"})
    assert status == 400 and doc["status"] == 400 and doc["error"] == "invalid scenario"
    assert any("outcomes[0].outcome" in p and "fly" in p for p in doc["problems"])


async def test_non_json_bodies_are_refused_in_the_one_shape(sim):
    for path in ("/_sim/media", "/_sim/scenarios", "/_sim/apps", "/_sim/ports", "/_sim/clock"):
        status, doc, _ = await _raw(sim, "POST", path, data=b"{not json")
        assert (status, doc["status"]) == (400, 400), path
        assert "JSON" in doc["error"], path


async def test_control_requests_unknown_sim_paths_and_favicon_are_neither_journaled_nor_counted(sim):
    await _raw(sim, "GET", "/_sim/health")
    await _raw(sim, "GET", "/_sim/ui")
    await _raw(sim, "POST", "/_sim/media", json={"name": "x.wav"})
    await _raw(sim, "DELETE", "/_sim/media")
    await _raw(sim, "GET", "/_sim/no-such-endpoint")
    status, doc, _ = await _raw(sim, "GET", "/favicon.ico")
    assert status == 404 and doc["resultcode"] == "1010006"  # the platform's own answer, just not journaled
    assert await sim.control_api.requests() == []
    assert "voicesim_api_answers_total{" not in await sim.control_api.metrics()

    # A platform request, right or wrong, is journaled and counted.
    await sim.client.call_verify(**sim.verify_request())
    await _raw(sim, "GET", "/rest/no/such/api")
    journaled = await sim.control_api.requests()
    assert [(r["path"], r["status"]) for r in journaled] == [
        ("/rest/httpsessions/callVerify/v1.0", 200), ("/rest/no/such/api", 404)]
    metrics = await sim.control_api.metrics()
    assert 'voicesim_api_answers_total{resultcode="0",status="200"} 1' in metrics
    assert 'voicesim_api_answers_total{resultcode="1010006",status="404"} 1' in metrics


async def test_the_token_guards_every_table_path_and_unknown_ones(make_sim):
    sim = await make_sim(control_token="s3cret")
    for path in [*TABLE, "/_sim/no-such-endpoint"]:
        status, doc, headers = await _raw(sim, "GET", _concrete(path))
        assert (status, doc["status"]) == (401, 401), path
        assert headers["WWW-Authenticate"] == 'Bearer realm="voicesim"'
    status, _, _ = await _raw(sim, "GET", "/_sim/health", headers={"Authorization": "Bearer s3cret"})
    assert status == 200
