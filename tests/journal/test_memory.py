"""The journal's own rules: bounded, in order, cheap to read the result code from our answers."""
from __future__ import annotations

import pytest

from simulator.clock import Clock
from simulator.config import AppConfig
from simulator.engine.call import Call
from simulator.journal import Journal, result_code


def _call(n: int) -> Call:
    return Call(f"s{n}", n, AppConfig("k", "s"), "001", "+8675528000002", "+8613800000000", ())


def test_the_journal_keeps_the_newest_entries_of_each_kind():
    journal = Journal(Clock(manual=True, start=0.0), keep=3)
    for n in range(10):
        call = _call(n)
        journal.event(call, "callout")
        journal.request("POST", "/p", 200, b"{}", b'{"resultcode":"0"}')
    assert list(journal.calls) == ["s7", "s8", "s9"]
    assert [e.session_id for e in journal.events] == ["s7", "s8", "s9"]
    assert len(journal.requests) == 3
    seqs = [e.seq for e in journal.events] + [r.seq for r in journal.requests]
    assert len(set(seqs)) == 6  # one sequence for every kind: entries can be merged in order
    assert journal.started == 10 and journal.api_answers == {("0", 200): 10}  # counters are not bounded


def test_result_code_from_either_spacing_or_none():
    assert result_code(b'{"resultcode":"0","resultdesc":"Success"}') == "0"
    assert result_code(b'{"resultcode": "1010002", "resultdesc": "x"}') == "1010002"
    assert result_code(b'{"resultdesc": "x", "resultcode": "1020165"}') == "1020165"
    assert result_code(b"") == "none" and result_code(None) == "none" and result_code(b"not json") == "none"


SUCCESS = '{"resultcode":"0","resultdesc":"Success","sessionId":"%s"'


@pytest.mark.parametrize("answer", [
    (SUCCESS % "s1" + "}").encode(),
    (SUCCESS % "s1" + ',"idlePort":65534}').encode(),
    (SUCCESS % "s1" + ',"idlePort":0}').encode(),
    (SUCCESS % "s1" + ',"idlePort":007}').encode(),  # not how we write it: kept as it is all the same
    (SUCCESS % "s1" + ',"idlePort":7,"x":1}').encode(),
    (SUCCESS % "s1" + ',"idlePort":}').encode(),
    (SUCCESS % "s1" + '}  ').encode(),
    (SUCCESS % "nobody" + "}").encode(),  # no such call
    (SUCCESS % "s\u00e9" + "}").encode(),
    SUCCESS.encode(),
    b'{"resultcode":"1010002","resultdesc":"Invalid request."}',
    b"not json",
    b"",
])
def test_the_journal_gives_back_each_answer_byte_for_byte(answer):
    journal = Journal(Clock(manual=True, start=0.0))
    journal.event(_call(1), "callout")
    journal.request("POST", "/p", 200, b"{}", answer)
    journal.request("POST", "/p", 200, b"{}", bytearray(answer))
    assert [r.answer for r in journal.requests] == [answer, answer]
    assert [r.to_json()["answer"] for r in journal.requests] == [answer.decode("utf-8", "replace")] * 2


def test_an_answer_that_is_not_bytes_is_not_kept():
    journal = Journal(Clock(manual=True, start=0.0))
    journal.request("GET", "/p", 200, None, None)
    journal.request("GET", "/p", 200, None, {"resultcode": "0"})
    assert [(r.answer, r.resultcode) for r in journal.requests] == [(None, "none"), (None, "none")]


def test_timeline_and_bill_of_find_one_call_among_others():
    journal = Journal(Clock(manual=True, start=0.0), keep=4)
    calls = [_call(n) for n in range(3)]
    for event in ("callout", "alerting"):
        for call in calls:
            journal.event(call, event, None if event == "callout" else {"n": call.seq})
    for call in calls:
        journal.bill(call, {"sessionId": call.session_id}, None)
    assert [(e.event, e.extra) for e in journal.timeline("s2")] == [("callout", None), ("alerting", {"n": 2})]
    assert [(e.event, e.extra) for e in journal.timeline("s0")] == [("alerting", {"n": 0})]  # its callout is gone
    bill = journal.bill_of("s1")
    assert bill is not None and bill.bill == {"sessionId": "s1"} and journal.bill_of("s9") is None
