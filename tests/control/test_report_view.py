"""``GET /_sim/report`` as a control endpoint: its formats, its refusals in the one error shape, the token."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import aiohttp
import pytest


async def _get(sim, query: str = "", token: str | None = None) -> tuple[int, str, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{sim.base_url}/_sim/report{query}", headers=headers) as resp:
            return resp.status, resp.content_type, await resp.text()


async def test_formats(sim):
    await sim.client.call_verify(**sim.verify_request(verifyCode="12ab"))
    status, ctype, text = await _get(sim)
    assert (status, ctype) == (200, "application/json") and '"field.verifyCode.digits"' in text
    status, ctype, text = await _get(sim, "?format=markdown")
    assert (status, ctype) == (200, "text/markdown") and "verifyCode: not digits only" in text
    status, ctype, text = await _get(sim, "?format=junit&failOn=warning")
    assert (status, ctype) == (200, "application/xml")
    assert ET.fromstring(text.encode()).get("failures") == "1"


@pytest.mark.parametrize("query,word", [("?format=xml", "format"), ("?failOn=fatal", "failOn"),
                                        ("?slowAfter=-1", "slowAfter"), ("?slowAfter=nan", "slowAfter"),
                                        ("?slowAfter=inf", "slowAfter"), ("?slowAfter=soon", "slowAfter")])
async def test_bad_input_is_a_400_in_the_control_apis_shape(sim, query, word):
    status, ctype, text = await _get(sim, query)
    assert (status, ctype) == (400, "application/json")
    assert word in text and '"status": 400' in text


async def test_the_control_token_guards_it(make_sim):
    sim = await make_sim(control_token="tok")
    assert (await _get(sim))[0] == 401
    assert (await _get(sim, token="tok"))[0] == 200
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{sim.base_url}/_sim/report", headers={"Authorization": "Bearer tok"}) as resp:
            assert resp.status == 405
