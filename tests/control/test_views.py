"""The control API under /_sim/: every endpoint over real HTTP, the token rule, and clear 404s."""
from __future__ import annotations

import json
from typing import Any

import aiohttp

from simulator import Platform, Settings, create_app
from simulator.client import SimControl, VoiceClient
from simulator.clock import Clock, utc_text
from simulator.pytest_plugin import START

NEW_KEY, NEW_SECRET = "teamAppKey0001", "teamSecret0001"


async def _raw(sim: Any, method: str, path: str, **kw: Any) -> tuple[int, Any, dict[str, str]]:
    async with aiohttp.ClientSession() as s:
        async with s.request(method, sim.base_url + path, **kw) as resp:
            try:
                body = await resp.json(content_type=None)
            except ValueError:
                body = await resp.text()
            return resp.status, body, dict(resp.headers)


async def _call(sim: Any, **fields: Any) -> str:
    reply = await sim.client.call_verify(**sim.verify_request(**fields))
    assert reply.status == 200, reply.body
    return reply["sessionId"]


async def test_health_reports_clock_and_live_calls(sim):
    health = await sim.control_api.health()
    assert health["status"] == "ok"
    assert health["clock"]["mode"] == "manual"
    assert health["clock"]["now"] == utc_text(START)
    assert health["liveCalls"] == 0
    assert health["journal"] == {"dataDir": None, "backlog": 0, "error": None, "failing": False, "writeErrors": 0,
                                 "entriesLost": 0}
    await _call(sim)
    assert (await sim.control_api.health())["liveCalls"] == 1


async def test_calls_filter_by_state_callee_and_time(sim):
    first = await _call(sim, calleeNbr="+8613800000001")
    await sim.advance(60)  # first has ended
    second = await _call(sim, calleeNbr="+8613800000002")
    await sim.advance(2)  # second is ringing
    third = await _call(sim, calleeNbr="+8613800000003")

    assert [c["sessionId"] for c in await sim.control_api.calls()] == [first, second, third]
    ended = await sim.control_api.calls(state="ended")
    assert [c["sessionId"] for c in ended] == [first]
    assert ended[0]["stateCode"] == 0 and ended[0]["end"] is not None
    assert [c["sessionId"] for c in await sim.control_api.calls(state="alerting")] == [second]
    assert [c["sessionId"] for c in await sim.control_api.calls(state="live")] == [second, third]
    assert [c["sessionId"] for c in await sim.control_api.calls(callee="+8613800000003")] == [third]
    assert [c["sessionId"] for c in await sim.control_api.calls(since=START + 30)] == [second, third]
    assert [c["sessionId"] for c in await sim.control_api.calls(until=utc_text(START + 30))] == [first]
    assert [c["sessionId"] for c in await sim.control_api.calls(limit=1)] == [third]

    bad = await sim.control_api.request("GET", "calls", params={"state": "flying"})
    assert bad.status == 400 and "state must be one of" in bad["error"]
    bad = await sim.control_api.request("GET", "calls", params={"since": "yesterday"})
    assert bad.status == 400 and "since must be epoch seconds" in bad["error"]


async def test_call_detail_has_timeline_events_bill_and_attempts(sim):
    sim.receiver.answer("/fee", 500)
    sid = await _call(sim, userData="u-1")
    await sim.advance(60)
    detail = await sim.control_api.call(sid)
    assert detail["sessionId"] == sid and detail["state"] == "ended" and detail["userData"] == "u-1"
    assert [e["eventType"] for e in detail["timeline"]] == ["callout", "alerting", "answer", "disconnect"]
    assert detail["timeline"][-1]["stateCode"] == 0
    assert [e["eventType"] for e in detail["events"]] == ["callout", "alerting", "answer", "disconnect"]
    assert all(e["state"] == "delivered" for e in detail["events"])
    assert detail["bill"]["sessionId"] == sid and detail["bill"]["callEndTime"] == detail["end"]
    (fee,) = detail["billDeliveries"]
    assert fee["state"] == "retrying" and fee["attempts"][0]["status"] == 500
    assert [(a["kind"], a["ok"]) for a in detail["attempts"]] == [("status", True)] * 4 + [("bill", False)]
    assert all(a["url"].startswith(sim.receiver.base_url) for a in detail["attempts"])

    missing = await sim.control_api.request("GET", "calls/nope@nowhere")
    assert missing.status == 404
    assert missing["error"] == "no call with sessionId 'nope@nowhere' in the journal"


async def test_events_in_order_with_filters(sim):
    a = await _call(sim)
    await sim.advance(1)
    b = await _call(sim)
    await sim.advance(60)
    events = await sim.control_api.events()
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert [(e["sessionId"], e["eventType"]) for e in events[:3]] == [(a, "callout"), (a, "alerting"), (b, "callout")]
    assert [e["sessionId"] for e in await sim.control_api.events(eventType="disconnect")] == [a, b]
    assert len(await sim.control_api.events(sessionId=b)) == 4
    assert len(await sim.control_api.events(limit=2)) == 2


async def test_events_are_journaled_even_without_a_status_url(sim):
    sid = await _call(sim, statusUrl=None, feeUrl=None)
    await sim.advance(60)
    assert [e["eventType"] for e in await sim.control_api.events(sessionId=sid)] == [
        "callout", "alerting", "answer", "disconnect"]
    (bill,) = await sim.control_api.bills(sessionId=sid)
    assert bill["url"] is None and bill["delivery"] == "no_url"
    assert sim.receiver.got == []


async def test_bills_with_delivery_state(sim):
    sim.receiver.answer("/fee", 503)
    failing = await _call(sim)
    await sim.advance(60)
    fine = await _call(sim)
    await sim.advance(60)
    bills = await sim.control_api.bills()
    assert [(b["sessionId"], b["delivery"]) for b in bills] == [(failing, "retrying"), (fine, "delivered")]
    assert bills[0]["bill"]["calleeNum"] == "+8613800000000"
    assert [b["sessionId"] for b in await sim.control_api.bills(state="retrying")] == [failing]
    await sim.advance(3600)
    assert [b["delivery"] for b in await sim.control_api.bills()] == ["delivered", "delivered"]


async def test_deliveries_keeps_its_shape(sim):
    await _call(sim)
    await sim.advance(60)
    reply = await sim.control_api.request("GET", "deliveries", params={"kind": "bill"})
    assert reply.status == 200
    assert set(reply.body) == {"deliveries", "count", "owedBills"}
    (push,) = reply["deliveries"]
    assert push["kind"] == "bill" and push["state"] == "delivered" and push["attempts"][0]["status"] == 200


async def test_requests_record_bodies_and_answers_but_not_control_calls(sim):
    sid = await _call(sim)
    bad = await sim.client.post("/rest/httpsessions/callVerify/v1.0", sim.verify_request(),
                                headers={"Authorization": "nope"})
    assert bad.status == 400
    await sim.control_api.health()
    reqs = await sim.control_api.requests()
    assert [(r["status"], r["resultcode"]) for r in reqs] == [(200, "0"), (400, "1023007")]
    assert reqs[0]["path"] == "/rest/httpsessions/callVerify/v1.0" and reqs[0]["method"] == "POST"
    assert '"verifyCode": "123456"' in reqs[0]["body"] or '"verifyCode":"123456"' in reqs[0]["body"]
    assert sid in reqs[0]["answer"]
    assert reqs[1]["body"] is None  # refused before the body was read
    assert [r["resultcode"] for r in await sim.control_api.requests(resultcode="1023007")] == ["1023007"]
    assert await sim.control_api.requests(path="/other") == []


async def test_requests_show_each_answer_as_it_was_sent(sim):
    plain = await sim.client.call_verify(**sim.verify_request())
    idle = await sim.client.call_verify(**sim.verify_request(returnIdlePort="true"))
    busy = await sim.client.call_verify(**sim.verify_request(calleeNbr="not a number"))
    assert busy.status != 200
    success = '{"resultcode":"0","resultdesc":"Success","sessionId":'
    answers = [r["answer"] for r in await sim.control_api.requests()]
    assert answers[:2] == [f'{success}"{plain["sessionId"]}"}}',
                           f'{success}"{idle["sessionId"]}","idlePort":{idle["idlePort"]}}}']
    assert [json.loads(a) for a in answers] == [plain.body, idle.body, busy.body]


async def test_reset_drops_calls_owed_bills_and_the_journal(sim):
    sim.receiver.answer_always("/fee", 500)
    await _call(sim)
    await sim.advance(60)  # its bill is owed
    await _call(sim)  # live
    await sim.advance(0)  # its callout has arrived
    before = len(sim.receiver.got)
    done = await sim.control_api.reset()
    assert done == {"reset": True, "droppedCalls": 1}
    await sim.advance(3 * 3600)
    assert len(sim.receiver.got) == before  # nothing more: no disconnect, no bill, no re-push
    assert await sim.control_api.calls() == [] and await sim.control_api.events() == []
    assert await sim.control_api.bills() == [] and await sim.control_api.requests() == []
    assert (await sim.control_api.ports())["live"] == 0
    sim.receiver.answer_always("/fee", None)
    sid = await _call(sim)
    await sim.advance(60)
    assert [c["sessionId"] for c in await sim.control_api.calls()] == [sid]
    assert sim.receiver.bill(sid) is not None


async def test_clock_read_and_advance_when_manual(sim):
    clock = await sim.control_api.clock()
    assert clock == {"mode": "manual", "speed": None, "now": utc_text(START), "nowEpoch": START, "pending": 0}
    sid = await _call(sim)
    moved = await sim.control_api.advance(30)
    assert moved["nowEpoch"] == START + 30
    assert sim.receiver.event_types(sid) == ["callout", "alerting", "answer", "disconnect"]
    refused = await sim.control_api.request("POST", "clock", {"speed": 10})
    assert refused.status == 409 and "manual" in refused["error"]
    for body, text in (({"advance": -1}, "advance must be between"), ({"advance": "x"}, "advance must be a number"),
                       ({}, 'exactly one of "advance"')):
        bad = await sim.control_api.request("POST", "clock", body)
        assert bad.status == 400 and text in bad["error"], bad.body


async def test_clock_speed_when_scaled(aiohttp_server):
    platform = Platform(Settings(speed=2.0), Clock(speed=2.0))
    server = await aiohttp_server(create_app(platform=platform), host="127.0.0.1")
    async with SimControl(str(server.make_url("")).rstrip("/")) as control:
        assert (await control.clock())["mode"] == "scaled"
        assert (await control.set_speed(3600))["speed"] == 3600
        assert platform.clock.speed == 3600
        refused = await control.request("POST", "clock", {"advance": 5})
        assert refused.status == 409 and "cannot be advanced" in refused["error"]


async def test_ports_read_and_set_capacity(sim):
    await _call(sim)
    ports = await sim.control_api.ports()
    assert ports["live"] == 1 and ports["capacity"] == 65535 and ports["idle"] == 65534
    assert ports["byApp"] == {sim.settings.app_key: 1}
    assert (await sim.control_api.set_ports(1))["idle"] == 0
    full = await sim.client.call_verify(**sim.verify_request())
    assert full.status == 503 and full["resultcode"] == "1020154"
    bad = await sim.control_api.request("POST", "ports", {"capacity": 70000})
    assert bad.status == 400 and "capacity must be an integer 0-65535" in bad["error"]


async def test_apps_register_and_list(sim):
    created = await sim.control_api.register_app(NEW_KEY, NEW_SECRET, displayNumbers=["+8675528000009"], quota=1)
    assert created["key"] == NEW_KEY and "secret" not in created
    apps = (await sim.control_api.request("GET", "apps"))["apps"]
    assert [a["key"] for a in apps] == [sim.settings.app_key, NEW_KEY]
    assert all("secret" not in a for a in apps)
    async with VoiceClient(sim.base_url, NEW_KEY, NEW_SECRET) as team:
        reply = await team.call_verify(**sim.verify_request(displayNbr="+8675528000009"))
        assert reply.status == 200 and reply["resultcode"] == "0"
        over = await team.call_verify(**sim.verify_request(displayNbr="+8675528000009"))
        assert over["resultcode"] == "1020165"
    for body, text in (({"key": "k"}, '"secret" is required'),
                       ({"key": "k", "secret": "s", "displayNumbers": ["0755"]}, "global format"),
                       ({"key": "k", "secret": "s", "quota": -1}, "quota must be")):
        bad = await sim.control_api.request("POST", "apps", body)
        assert bad.status == 400 and text in bad["error"], bad.body


async def test_unknown_control_path_and_wrong_method(sim):
    status, body, _ = await _raw(sim, "GET", "/_sim/nothing")
    assert status == 404
    assert body["error"].startswith("no control endpoint at /_sim/nothing; the control API has: ")
    assert "/_sim/calls" in body["error"] and "/_sim/deliveries" in body["error"]
    status, body, headers = await _raw(sim, "DELETE", "/_sim/health")
    assert status == 405 and headers["Allow"] == "GET"
    assert body["error"] == "DELETE is not allowed on /_sim/health; use GET"
    status, body, _ = await _raw(sim, "POST", "/_sim/clock", data=b"{nope")
    assert status == 400 and body["error"].startswith("body is not valid JSON")
    # the platform's own 404 is unchanged
    status, body, _ = await _raw(sim, "GET", "/rest/nothing")
    assert status == 404 and body["resultcode"] == "1010006"


async def test_control_token_is_demanded_and_the_platform_never_accepts_it(make_sim):
    sim = await make_sim(control_token="s3cret")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}):
        status, body, resp_headers = await _raw(sim, "GET", "/_sim/health", headers=headers)
        assert status == 401 and "Authorization: Bearer <token>" in body["error"]
        assert resp_headers["WWW-Authenticate"].startswith("Bearer")
    status, _, _ = await _raw(sim, "GET", "/_sim/deliveries")
    assert status == 401
    status, _, _ = await _raw(sim, "GET", "/_sim/nothing")
    assert status == 401
    status, body, _ = await _raw(sim, "GET", "/_sim/nothing", headers={"Authorization": "Bearer s3cret"})
    assert status == 404
    assert (await sim.control_api.health())["status"] == "ok"  # SimControl sends the token
    # the platform API: the bearer token is no credential there, AKSK still is
    status, body, _ = await _raw(sim, "POST", "/rest/httpsessions/callVerify/v1.0", json=sim.verify_request(),
                                 headers={"Authorization": "Bearer s3cret"})
    assert status == 400 and body["resultcode"] == "1023007"
    status, body, _ = await _raw(sim, "POST", "/rest/httpsessions/callVerify/v1.0", json=sim.verify_request(),
                                 headers={"X-Sim-Token": "s3cret"})
    assert status == 400 and body["resultcode"] == "1023006"
    assert (await sim.client.call_verify(**sim.verify_request())).status == 200
