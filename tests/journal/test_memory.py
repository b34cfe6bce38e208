"""The journal's own rules: bounded, in order, cheap to read the result code from our answers."""
from __future__ import annotations

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
