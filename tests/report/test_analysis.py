"""The report's pure parts: journal records in, typed findings out; JSON both ways; the renderers' edges."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from rich.console import Console

from simulator.auth import Diagnosis
from simulator.config import AppConfig
from simulator.delivery import GIVEN_UP, Attempt, Push
from simulator.delivery.push_chaos import LOST
from simulator.journal import EventEntry, RequestEntry
from simulator.report import Finding, Records, Report, analyze, junit, markdown, terminal
from simulator.report.pushes import percentile
from simulator.report.refusals import field_problem

VERIFY = "/rest/httpsessions/callVerify/v1.0"
APP = AppConfig("key", "")


def _request(seq: int, code: str, status: int, desc: str = "", body: bytes | None = b"{}",
             diagnosis: Diagnosis | None = None, path: str = VERIFY) -> RequestEntry:
    answer = json.dumps({"resultcode": code, "resultdesc": desc}).encode()
    return RequestEntry(seq, 100.0 + seq, "POST", path, status, code, body, answer, diagnosis)


def _push(id: int, event: str, created: float, *attempts: Attempt, kind: str = "status", body: bytes = b"",
          state: str = "delivered", url: str = "http://sp/status") -> Push:
    return Push(id, kind, event, url, APP, body or f'{{"eventType":"{event}"}}'.encode(), ("sid",), created, state,
                0.0, list(attempts))


def _ok(at: float, elapsed: float = 0.01) -> Attempt:
    return Attempt(at, True, 200, None, elapsed)


def _refused(at: float, status: int = 409) -> Attempt:
    return Attempt(at, False, status, f"HTTP {status}", 0.01)


def _ids(report: Report) -> dict[str, int]:
    return {f.id: f.count for f in report.findings}


def test_field_problems_are_read_from_the_platforms_resultdesc():
    body = {"statusUrl": "https://sp/s", "preTone": "x.wav", "playInfoList": [{"templateId": "TPL_X"}]}
    cases = {
        "Invalid request.statusUrl must be the Base64 encoding of a URL": ("statusUrl", "plain_url"),
        "Invalid request.feeUrl must be the Base64 encoding of a URL": ("feeUrl", "base64_url"),
        "Invalid request.x.wav does not exist": ("preTone", "not_approved"),
        "Invalid request.TPL_X does not exist": ("playInfoList[].templateId", "not_approved"),
        "Invalid request.playInfoList[3].collectInd must be between 0 and 32": ("playInfoList[].collectInd", "length"),
        "Invalid request.verifyCode is required": ("verifyCode", "missing"),
        "Invalid request.times must be an integer": ("times", "type"),
        "Invalid request.body is not valid JSON: Expecting value": ("body", "body"),
        "Invalid request.": ("body", "rule"),
    }
    for desc, expected in cases.items():
        assert field_problem(VERIFY, desc, body) == expected, desc
    record, download = "/rest/provision/voice/record/v1.0", "/voicesim-record/sp-voice-record/1201_9.wav"
    assert field_problem(record, "Invalid request.1201_9.wav does not exist", None) == ("fileName", "no_recording")
    assert field_problem(download, "Invalid request.1201_9.wav has expired (recordings are kept 7 days)", None) \
        == ("fileName", "no_recording")


def test_every_refused_request_counts_once_under_its_most_specific_problem():
    hex_mistake = Diagnosis("hex_digest", "PasswordDigest matches hex", 'X-AKSK: UsernameToken ...')
    records = Records([
        _request(1, "0", 200),
        _request(2, "1010010", 401, "Invalid digest.", None, hex_mistake),
        _request(3, "1010010", 401, "Invalid digest.", None, hex_mistake),
        _request(4, "1010013", 401, "Time out limit.", None),  # a journal of an older voicesim: no diagnosis
        _request(5, "1020002", 500, "Internal error.", b'{"c":1}'),  # never retried
        _request(6, "1023001", 500, "Internal error.", b'{"a":1}'),
        _request(7, "1023001", 500, "Internal error.", b'{"a":1}'),  # the retry of 6, itself never retried
        _request(8, "1020154", 503, "Insufficient voice ports.", b'{"b":1}'),
        _request(9, "0", 200, body=b'{"b":1}'),  # the retry of 8, accepted
        _request(10, "1013002", 403, "The number of calls exceeds the app limit."),
    ], [], [])
    report = analyze(records)
    assert _ids(report) == {"signature.hex_digest": 2, "signature.undiagnosed": 1, "api.not_retried.1020002": 1,
                            "api.not_retried.1023001": 1, "api.refused.1013002": 1}
    hex_finding = report.findings[0]
    assert (hex_finding.first_at, hex_finding.last_at) == (102.0, 103.0)
    assert "PasswordDigest matches hex" in hex_finding.example and hex_finding.example.startswith("POST ")


def test_stops_after_a_calls_disconnect_and_before_it():
    stop = "/rest/httpsessions/callStop/v2.0"
    body = b'{"sessionid": "sid", "signal": "call_stop"}'
    events = [EventEntry(1, 50.0, "sid", "callout", None), EventEntry(2, 101.5, "sid", "disconnect", None)]
    records = Records([_request(1, "1020152", 400, body=body, path=stop),  # at 101: before the disconnect
                       _request(2, "1020152", 400, body=body, path=stop)], events, [])
    assert _ids(analyze(records)) == {"api.stop_unknown": 1, "api.stop_after_end": 1}


def test_duplicates_and_out_of_order_refusals_need_an_accepted_counterpart():
    pushes = [
        _push(1, "callout", 10.0, _ok(10.0)),
        _push(2, "callout", 10.0, _refused(10.0)),  # its copy, refused
        _push(3, "answer", 14.0, _refused(20.0)),  # held back, refused after the disconnect got through
        _push(4, "disconnect", 20.0, _ok(20.0)),
        _push(5, "alerting", 11.0, _refused(11.0, 500), url="http://sp/other"),  # a plain refusal
        _push(6, "alerting", 11.0, _refused(11.0, 500), url="http://sp/other"),  # both copies refused
    ]
    assert _ids(analyze(Records([], [], pushes))) == {"push.duplicate_refused": 1, "push.out_of_order_refused": 1,
                                                      "push.http_500.status": 2}


def test_bill_attempts_lost_by_chaos_are_not_findings_and_given_up_bills_are():
    lost = Attempt(5.0, False, 200, LOST, 0.01)
    pushes = [_push(1, "fee", 5.0, lost, _ok(3605.0), kind="bill", url="http://sp/fee"),
              _push(2, "fee", 6.0, _refused(6.0, 500), _refused(3606.0, 500), kind="bill", state=GIVEN_UP,
                    url="http://sp/fee")]
    report = analyze(Records([], [], pushes))
    assert _ids(report) == {"push.http_500.bill": 2, "push.bills_given_up": 1}
    [row] = report.latency
    assert (row.url, row.answers, row.timeouts) == ("http://sp/fee", 4, 0)


def test_percentiles_are_nearest_rank():
    values = [float(i) for i in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile([], 0.5)) == (50.0, 99.0, 0.0)
    assert percentile([3.0], 0.99) == 3.0


def test_findings_are_ordered_errors_first_then_by_category_and_count():
    pushes = [_push(i, "callout", float(i), _ok(float(i), elapsed=2.0)) for i in range(1, 4)]
    records = Records([_request(1, "1010002", 403, "Invalid request.verifyCode is required"),
                       _request(2, "1020165", 403, "The number of app_key voice call ports exceeds the upper limit."),
                       _request(3, "1010010", 401, "Invalid digest.", None)], [], pushes)
    report = analyze(records)
    assert [(f.severity, f.id) for f in report.findings] == [
        ("error", "signature.undiagnosed"), ("error", "field.verifyCode.missing"), ("warning", "api.quota"),
        ("warning", "push.slow")]


def test_reports_go_through_json_unchanged_and_garbage_is_refused():
    pushes = [_push(1, "callout", 1.0, _refused(1.0, 500))]
    report = analyze(Records([_request(1, "1010010", 401, "Invalid digest.", None)], [], pushes), 0.5)
    assert Report.from_json(json.loads(json.dumps(report.to_json()))) == report
    for bad in ([], {"findings": {}, "latency": []}, {**report.to_json(), "requests": "1"},
                {**report.to_json(), "findings": [{**report.findings[0].to_json(), "severity": "fatal"}]}):
        with pytest.raises(ValueError):
            Report.from_json(bad)


def _report_with(example: str) -> Report:
    return Report((Finding("field.x.rule", "error", "fields", "x | y", 2, example, "§3", "fix it", "/p", 1.0, 2.0),),
                  (), 1, 0, 1.0)


def test_markdown_fences_examples_whatever_they_hold():
    text = markdown(_report_with("body with ``` inside"))
    assert "````text\nbody with ``` inside\n````" in text
    assert "| error | 2 | x \\| y | /p | §3 |" in text


def test_junit_survives_control_characters_and_terminal_text_has_no_markup_surprises():
    report = _report_with("bad \x00 bytes [bold]not markup[/bold]")
    root = ET.fromstring(junit(report, "warning"))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and "bad ? bytes" in (failure.text or "")
    console = Console(record=True, width=100)
    terminal(report, console)
    assert "[bold]not markup[/bold]" in console.export_text()
