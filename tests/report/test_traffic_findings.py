"""Field, push and API-use findings from real traffic: signed requests over HTTP, a receiver scripted to
misbehave, scenarios with chaos; each test asserts the whole set of findings the report names."""
from __future__ import annotations

from typing import Any

from simulator.client import NOTIFY_PATH, STOP_PATH, VERIFY_PATH
from simulator.testing import DROP, Answer
from tests.helpers import notify_body


async def _report(sim: Any, **params: Any) -> dict[str, Any]:
    reply = await sim.control_api.request("GET", "report", params=params)
    assert reply.status == 200, reply.body
    return reply.body


def _counts(report: dict[str, Any]) -> dict[str, int]:
    return {f["id"]: f["count"] for f in report["findings"]}


def _finding(report: dict[str, Any], id: str) -> dict[str, Any]:
    return next(f for f in report["findings"] if f["id"] == id)


async def _call(sim: Any, **fields: Any) -> str:
    reply = await sim.client.call_verify(**sim.verify_request(**fields))
    assert reply["resultcode"] == "0", reply.body
    return str(reply["sessionId"])


# -- request fields ------------------------------------------------------------------------------------
async def test_field_errors_are_grouped_by_field(sim):
    for _ in range(2):
        assert (await sim.client.call_verify(**sim.verify_request(calleeNbr="13800000000"))).status == 403
    await sim.client.call_verify(**sim.verify_request(statusUrl=sim.receiver.url("/status")))
    await sim.client.call_verify(**sim.verify_request(preTone="nosuchtone.wav"))
    await sim.client.call_notify(**notify_body(sim, {"notifyVoice": "unapproved.wav"}))
    await sim.client.call_verify(**sim.verify_request(displayNbr="+8675528009999"))
    assert (await sim.client.record_url("1201_no_such_call.wav", "record.voicesim.local")).status == 404

    report = await _report(sim)
    assert _counts(report) == {"field.calleeNbr.global_format": 2, "field.statusUrl.plain_url": 1,
                               "field.preTone.not_approved": 1, "field.playInfoList[].notifyVoice.not_approved": 1,
                               "field.displayNbr.not_owned": 1, "field.fileName.no_recording": 1}
    assert _finding(report, "field.fileName.no_recording")["spec"] == "§8 Recordings"
    plain = _finding(report, "field.statusUrl.plain_url")
    assert plain["title"] == "statusUrl: a plain URL where Base64 is required"
    assert plain["spec"] == "§3 Voice verification code" and "b64encode" in plain["fix"]
    assert sim.receiver.url("/status") in plain["example"] and "1010002" in plain["example"]
    assert _finding(report, "field.playInfoList[].notifyVoice.not_approved")["where"] == NOTIFY_PATH
    assert _finding(report, "field.calleeNbr.global_format")["spec"].endswith("§9 Other rules")


# -- push answers --------------------------------------------------------------------------------------
async def test_refused_and_redirected_status_events_and_a_bill_with_a_bad_resultcode(sim, receiver):
    receiver.answer("/status", 500, Answer(302, location="https://elsewhere.example/status"), 200, 500)
    receiver.answer("/fee", (200, '{"resultcode": "1", "resultdesc": "db down"}'))
    sid = await _call(sim)
    await sim.advance(60 + 3600)  # the call, then the bill's re-push (accepted)

    report = await _report(sim)
    assert _counts(report) == {"push.http_500.status": 2, "push.redirect.status": 1, "push.bill_resultcode": 1}
    refused = _finding(report, "push.http_500.status")
    assert refused["where"] == receiver.url("/status") and refused["spec"] == "§6 Status pushes"
    assert f"'callout' event of call {sid}" in refused["example"] and "HTTP 500" in refused["example"]
    bill = _finding(report, "push.bill_resultcode")
    assert bill["spec"] == "§7 Bill pushes" and "db down" in bill["example"]
    assert [x["url"] for x in report["latency"]] == [receiver.url("/fee"), receiver.url("/status")]


async def test_timeouts_dropped_connections_and_bills_given_up(make_sim, receiver):
    sim = await make_sim(push_timeout=0.5, bill_max_retries=1)
    receiver.answer("/status", DROP)
    receiver.answer("/fee", Answer(200, delay=1.0))
    receiver.answer_always("/fee", 503)
    await _call(sim)
    await sim.advance(60 + 3600)  # the first bill push times out, its one re-push gets 503: given up

    report = await _report(sim)
    assert _counts(report) == {"push.unreachable.status": 1, "push.timeout.bill": 1, "push.http_503.bill": 1,
                               "push.bills_given_up": 1}
    fee = next(x for x in report["latency"] if x["url"] == receiver.url("/fee"))
    assert (fee["answers"], fee["timeouts"]) == (1, 1)


async def test_a_slow_url_is_a_warning_with_its_percentiles(sim, receiver):
    receiver.answer("/fee", Answer(200, delay=0.6))
    await _call(sim)
    await sim.advance(60)

    report = await _report(sim, slowAfter=0.3)
    assert _counts(report) == {"push.slow": 1}
    slow = _finding(report, "push.slow")
    assert slow["severity"] == "warning" and slow["where"] == receiver.url("/fee")
    fee = next(x for x in report["latency"] if x["url"] == receiver.url("/fee"))
    assert fee["answers"] == 1 and fee["p50"] == fee["p99"] == fee["slowest"] >= 0.6
    assert f"p99 {fee['p99']:.2f} s" in slow["title"]
    assert _counts(await _report(sim, slowAfter=30)) == {}


async def test_an_endpoint_refusing_duplicated_status_events(sim, receiver):
    await sim.scenario(yaml="name: twice\noutcomes: [{outcome: answered}]\nchaos:\n  status: {duplicate: 1.0}\n")
    receiver.answer("/status", *[200, 409] * 4)  # each event twice in a row: the repeat is refused
    sid = await _call(sim)
    await sim.advance(60)

    assert receiver.event_types(sid) == ["callout", "callout", "alerting", "alerting", "answer", "answer",
                                         "disconnect", "disconnect"]
    report = await _report(sim)
    assert _counts(report) == {"push.duplicate_refused": 4}
    assert _finding(report, "push.duplicate_refused")["severity"] == "warning"


async def test_an_endpoint_refusing_status_events_out_of_order(sim, receiver):
    await sim.scenario(yaml="name: late\noutcomes: [{outcome: answered}]\n"
                            "chaos:\n  status: {reorder: 1.0, reorder_window: 60s}\n")
    receiver.answer("/status", 200, 409, 200, 409)  # whatever comes after a later event is refused
    sid = await _call(sim)
    await sim.advance(60)

    assert receiver.event_types(sid) == ["alerting", "callout", "disconnect", "answer"]
    report = await _report(sim)
    assert _counts(report) == {"push.out_of_order_refused": 2}
    assert "'callout' event" in _finding(report, "push.out_of_order_refused")["example"]


async def test_chaos_losing_a_bills_answer_is_not_the_sps_fault(sim, receiver):
    await sim.scenario(yaml="name: lossy\noutcomes: [{outcome: answered}]\nchaos:\n  bills: {fail: 1.0}\n")
    await _call(sim)
    await sim.advance(60 + 3 * 3600)
    assert len(receiver.on("/fee")) == 4  # re-pushed because the platform lost the SP's 200s
    assert _counts(await _report(sim)) == {}


# -- use of the API --------------------------------------------------------------------------------------
async def test_stopping_ended_and_unknown_calls(sim):
    sid = await _call(sim)
    await sim.advance(60)
    assert (await sim.client.call_stop(sid))["resultcode"] == "1020152"
    assert (await sim.client.call_stop("1201_no_such_call@callenabler245.huaweicaas.com"))["resultcode"] == "1020152"

    report = await _report(sim)
    assert _counts(report) == {"api.stop_after_end": 1, "api.stop_unknown": 1}
    assert _finding(report, "api.stop_after_end")["where"] == STOP_PATH
    assert sid in _finding(report, "api.stop_after_end")["example"]


async def test_quota_and_flow_control(make_sim):
    sim = await make_sim(app_quota=1)
    await _call(sim)
    assert (await sim.client.call_verify(**sim.verify_request()))["resultcode"] == "1020165"
    await sim.scenario(yaml="name: slow-down\noutcomes: [{outcome: answered}]\n"
                            "chaos:\n  api: {rate_limit: {requests: 1, per: 60s}}\n")
    await sim.advance(60)  # the first call has ended: the quota is free again
    await _call(sim)
    assert (await sim.client.call_verify(**sim.verify_request()))["resultcode"] == "1010009"

    report = await _report(sim)
    assert _counts(report) == {"api.quota": 1, "api.rate_limit": 1}
    assert {f["severity"] for f in report["findings"]} == {"warning"}


async def test_requests_refused_in_an_outage_and_never_retried(sim):
    await sim.scenario(yaml="name: down\noutcomes: [{outcome: answered}]\n"
                            "chaos:\n  api: {outages: [{start: 0s, end: 30s}]}\n")
    retried = sim.verify_request(calleeNbr="+8613800000001")
    forgotten = sim.verify_request(calleeNbr="+8613800000002")
    assert (await sim.client.call_verify(**retried))["resultcode"] == "1010001"
    assert (await sim.client.call_verify(**forgotten))["resultcode"] == "1010001"
    await sim.advance(31)
    assert (await sim.client.call_verify(**retried))["resultcode"] == "0"  # the same body, signed afresh

    report = await _report(sim)
    assert _counts(report) == {"api.not_retried.1010001": 1}
    finding = _finding(report, "api.not_retried.1010001")
    assert finding["severity"] == "error" and "+8613800000002" in finding["example"]
    assert finding["where"] == VERIFY_PATH
