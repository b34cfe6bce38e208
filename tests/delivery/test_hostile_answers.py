"""An SP's answers are untrusted input too: deep, huge or malformed, they fail or pass an attempt as the
rules say, and never leave a bill stuck unsent."""
from __future__ import annotations

import pytest
from aiohttp import web

from simulator.client import b64
from tests.helpers import assert_unharmed, call_before

ANSWERS = [
    # JSON we do not read (too deep, not JSON, cut at 1 MiB) is a 200 without a resultcode: accepted
    ("100,000 nested brackets", "[" * 100_000, "delivered"),
    ("a resultcode 50 levels deep", '{"resultcode": ' + "[" * 50 + "]" * 50 + "}", "delivered"),
    ("NaN resultcode", '{"resultcode": NaN}', "delivered"),
    ("4 MB answer", '{"resultcode": "1", "pad": "' + "x" * 4_000_000 + '"}', "delivered"),
    # what we do read still decides
    ("resultcode 1 beside nesting", '{"resultcode": "1", "pad": ' + "[" * 20 + "]" * 20 + "}", "retrying"),
]


@pytest.mark.parametrize("name,text,state", ANSWERS, ids=[a[0] for a in ANSWERS])
async def test_hostile_answers_to_a_bill_push(sim, aiohttp_server, name, text, state):
    async def hostile(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text=text)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", hostile)
    sp = await aiohttp_server(app)
    before = await call_before(sim)
    reply = await sim.client.call_verify(**sim.verify_request(feeUrl=b64(str(sp.make_url("/fee")))))
    await assert_unharmed(sim, before)
    (push,) = await sim.control_api.deliveries(kind="bill", sessionId=reply["sessionId"])
    # attempted once, never stuck sending
    assert push["state"] == state and len(push["attempts"]) == 1, push["attempts"][0]["error"]
