"""Whom the control API answers: its own origin's browser pages, scripts without one, allowed Host
names, and never the simulator's own pushes."""
from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from simulator.client import b64
from tests.helpers import assert_unharmed, call_before

EVIL = "http://evil.example"


async def _post(sim: Any, path: str, data: bytes | str = b"", headers: dict[str, str] | None = None,
                method: str = "POST") -> tuple[int, Any]:
    async with aiohttp.ClientSession() as s:
        async with s.request(method, sim.base_url + path, data=data, headers=headers or {}) as resp:
            return resp.status, await resp.json(content_type=None)


CROSS_SITE = [
    ("form POST", {"Origin": EVIL, "Content-Type": "application/x-www-form-urlencoded"}, "capacity=0"),
    ("text/plain POST", {"Origin": EVIL, "Content-Type": "text/plain"}, '{"capacity": 0}'),
    ("JSON POST", {"Origin": EVIL, "Content-Type": "application/json"}, '{"capacity": 0}'),
    ("sandboxed page", {"Origin": "null", "Content-Type": "text/plain"}, '{"capacity": 0}'),
    ("other port", {"Origin": "http://127.0.0.1:1", "Content-Type": "text/plain"}, '{"capacity": 0}'),
    ("no Origin, cross-site fetch", {"Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain"}, '{"capacity": 0}'),
]


@pytest.mark.parametrize("name,headers,body", CROSS_SITE, ids=[c[0] for c in CROSS_SITE])
async def test_a_page_elsewhere_cannot_change_the_simulator(sim, name, headers, body):
    before = await call_before(sim)
    for path in ("/_sim/ports", "/_sim/reset"):
        status, doc = await _post(sim, path, body, headers)
        assert (status, doc["status"]) == (403, 403) and "refused" in doc["error"]
    assert (await sim.control_api.ports())["capacity"] == 65535
    await assert_unharmed(sim, before)  # the reset was refused: the call lives on and is billed


async def test_the_dashboards_own_origin_and_scripts_without_one_may(sim):
    own = sim.base_url  # the dashboard is served from here: its fetches carry this Origin
    status, doc = await _post(sim, "/_sim/ports", '{"capacity": 7}', {"Origin": own, "Content-Type": "application/json",
                                                                      "Sec-Fetch-Site": "same-origin"})
    assert (status, doc["capacity"]) == (200, 7)
    # curl -d sends a form content type and no Origin, as the README's examples do
    status, doc = await _post(sim, "/_sim/ports", '{"capacity": 8}',
                              {"Content-Type": "application/x-www-form-urlencoded"})
    assert (status, doc["capacity"]) == (200, 8)
    # reading is never refused for the origin (the browser keeps the answer from a page elsewhere)
    status, _ = await _post(sim, "/_sim/ports", method="GET", headers={"Origin": EVIL})
    assert status == 200


async def test_allowed_origins_open_it_to_more_pages(make_sim):
    sim = await make_sim(allowed_origins=("http://dash.example:3000",))
    status, _ = await _post(sim, "/_sim/ports", '{"capacity": 3}', {"Origin": "http://dash.example:3000"})
    assert status == 200
    status, _ = await _post(sim, "/_sim/ports", '{"capacity": 3}', {"Origin": "http://dash.example:3001"})
    assert status == 403


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_rebound_host_name_is_refused(sim, method):
    before = await call_before(sim)
    status, doc = await _post(sim, "/_sim/reset", headers={"Host": "attacker.example:8090",
                                                          "Origin": "http://attacker.example:8090"}, method=method)
    assert (status, doc["status"]) == (403, 403) and "--allowed-hosts" in doc["error"]
    await assert_unharmed(sim, before)


async def test_loopback_names_ip_addresses_and_allowed_hosts_are_served(make_sim):
    sim = await make_sim(allowed_hosts=("voicesim",))
    port = sim.base_url.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST.", "[::1]:8090", "10.0.0.7", f"voicesim:{port}"):
        status, _ = await _post(sim, "/_sim/calls", method="GET", headers={"Host": host})
        assert status == 200, host
    status, _ = await _post(sim, "/_sim/calls", method="GET", headers={"Host": "voicesim.evil.example"})
    assert status == 403
    # health alone answers any name: health checks (CI Docker hosts, load balancers) call by their own
    status, doc = await _post(sim, "/_sim/health", method="GET", headers={"Host": "docker:2375"})
    assert (status, doc["status"]) == (200, "ok")
    # the platform API is not the control API: SPs reach it by any name (their requests are signed)
    reply = await sim.client.post("/rest/httpsessions/callVerify/v1.0", sim.verify_request(),
                                  headers=dict(sim.client.headers(), Host="voicesim.evil.example"))
    assert reply["resultcode"] == "0"


async def test_any_host_with_a_star(make_sim):
    sim = await make_sim(allowed_hosts=("*",))
    status, _ = await _post(sim, "/_sim/calls", method="GET", headers={"Host": "anything.example"})
    assert status == 200


@pytest.mark.parametrize("field", ["statusUrl", "feeUrl"])
async def test_the_simulator_never_pushes_to_its_own_control_api(sim, field):
    before = await call_before(sim)
    own = b64(sim.base_url.replace("127.0.0.1", "localhost") + "/_sim/reset")
    reply = await sim.client.call_verify(**sim.verify_request(**{field: own}))  # accepted, as the platform would
    assert reply["resultcode"] == "0"
    await assert_unharmed(sim, before)  # the pushes to /_sim/reset wiped nothing
    kind = "status" if field == "statusUrl" else "bill"
    pushes = [p for p in await sim.control_api.deliveries(kind=kind, sessionId=reply["sessionId"])]
    assert pushes and all(a["status"] == 403 for p in pushes for a in p["attempts"])
    assert len(await sim.control_api.calls()) == 2
