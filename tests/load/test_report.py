"""The load report's arithmetic and drawing: percentiles, failure kinds, buckets, bill figures, SVG and HTML."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from simulator.config import AppConfig
from simulator.delivery import GIVEN_UP, RETRYING, Attempt, Push
from simulator.load import Latency, LoadStats, failure_kind, percentile
from simulator.load.html import plots, render
from simulator.load.svg import Series, line_chart, nice_ticks, stacked_bars

SVG = "{http://www.w3.org/2000/svg}"
APP = AppConfig("key", "secret")


def _push(kind: str, bills: int = 1, attempts: int = 1, state: str = "delivered") -> Push:
    push = Push(1, kind, "fee" if kind == "bill" else "answer", "http://127.0.0.1:9/x", APP, b"{}",
                tuple(f"s{i}" for i in range(bills)), 0.0, state=state)
    push.attempts = [Attempt(0.0, False)] * attempts  # the listener sees the attempt already appended
    return push


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert [percentile(values, q) for q in (50, 90, 99, 100)] == [50, 90, 99, 100]
    assert percentile([7.0], 99) == 7.0
    assert Latency.of([0.08, 0.02, 0.02, 0.02]) == Latency(4, 20.0, 80.0, 80.0, 80.0)
    assert Latency.of([]) == Latency(0, None, None, None, None)
    with pytest.raises(ValueError):
        percentile([], 50)


@pytest.mark.parametrize("attempt,kind", [
    (Attempt(0, True, 200), "accepted"),
    (Attempt(0, False, 503, "HTTP 503"), "HTTP 503"),
    (Attempt(0, False, 302, "HTTP 302"), "HTTP 302"),
    (Attempt(0, False, 200, 'resultcode {"resultcode":"1"}'), 'HTTP 200, resultcode not "0"'),
    (Attempt(0, False, None, "timeout after 10s"), "timeout"),
    (Attempt(0, False, None, "TLS certificate not trusted: unable to get local issuer certificate (h:1); ..."),
     "TLS certificate not trusted"),
    (Attempt(0, False, None, "ClientConnectorError: Cannot connect to host 127.0.0.1:9"), "ClientConnectorError"),
    (Attempt(0, False, 200, "answer lost (scenario chaos)"), "answer lost (scenario chaos)"),
])
def test_each_failure_has_a_kind(attempt, kind):
    assert failure_kind(attempt) == kind


def test_attempts_fall_in_buckets_by_start_and_bills_are_counted_by_fate():
    stats = LoadStats(2.0)
    stats.add(0.5, _push("status"), Attempt(0, True, 200, elapsed=0.020))
    stats.add(1.9, _push("status"), Attempt(0, False, None, "timeout after 1s", elapsed=1.0))
    stats.add(2.0, _push("bill", bills=3), Attempt(0, True, 200, elapsed=0.080))
    stats.add(4.1, _push("bill", bills=2, attempts=2), Attempt(0, True, 200, elapsed=0.040))
    stats.add(4.2, _push("bill", bills=5, attempts=7, state=GIVEN_UP), Attempt(0, False, 500, "HTTP 500",
                                                                               elapsed=0.010))
    owed = [_push("bill", bills=4, attempts=3, state=RETRYING)]
    report = stats.report("t", 10, 9, {"1020154 Insufficient voice ports.": 1}, 4.5, 5.0, False, 2, owed)

    assert [(r.start, r.end, r.attempts, r.failed) for r in report.buckets] == [(0, 2, 2, 1), (2, 4, 1, 0),
                                                                                (4, 6, 2, 1)]
    assert report.buckets[0].latency == Latency(1, 20.0, 20.0, 20.0, 20.0)  # the timeout has no answer time
    assert report.latency["bill"].count == 3 and report.latency["all"].count == 4
    assert report.failures == {"timeout": {"status": 1, "bill": 0}, "HTTP 500": {"status": 0, "bill": 1}}
    assert (report.status_accepted, report.status_failed) == (1, 1)
    b = report.bills
    assert (b.messages, b.accepted_first, b.re_pushes, b.accepted_after_re_push) == (1, 1, 2, 1)
    assert (b.given_up_messages, b.given_up_bills, b.owed_messages, b.owed_bills) == (1, 5, 1, 4)
    assert report.achieved_rate == 2.0 and report.unfinished == 2 and not report.drained
    assert report.calls_line == "9 calls placed of 10 in 4.5 s (2.0/s)"  # 10 arrivals, 9 gaps


def test_ticks_are_round_and_cover_the_top():
    assert nice_ticks(205.7) == [0, 50, 100, 150, 200, 250]
    assert nice_ticks(0.3) == [0, 0.1, 0.2, 0.3]
    assert nice_ticks(0) == [0, 1]


def test_a_line_breaks_where_a_bucket_has_no_answers():
    svg = ET.fromstring(line_chart("p", "t", [0.5, 1.5, 2.5, 3.5, 4.5],
                                   [Series("p50", "#000", [20, 21, None, 22, 23])], "s", "ms"))
    lines = svg.findall(f"{SVG}polyline")
    assert [len(line.get("points", "").split()) for line in lines] == [2, 2]
    assert len(svg.findall(f"{SVG}circle")) == 4


def test_bars_stack_accepted_under_failed():
    svg = ET.fromstring(stacked_bars("b", "t", [0, 1], 1, [Series("ok", "#0f0", [10, 0]),
                                                          Series("failed", "#f00", [5, 3])], "s", "n"))
    bars = [(r.get("data-series"), float(r.get("height", 0))) for r in svg.findall(f"{SVG}rect[@class='bar']")]
    assert [name for name, _ in bars] == ["ok", "failed", "failed"]
    assert bars[0][1] == pytest.approx(2 * bars[1][1], abs=0.2)  # coordinates are rounded to 0.1


def test_the_html_page_is_self_contained_and_escapes_what_it_quotes():
    stats = LoadStats(1.0)
    stats.add(0.1, _push("status"), Attempt(0, True, 200, elapsed=0.02))
    report = stats.report("to http://127.0.0.1:9/<script>", 1, 1, {}, 0.0, 1.0, True, 0, [])
    page = render(report)
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "src=" not in page and "href=" not in page  # nothing fetched from anywhere
    figures = ET.fromstring(f"<div>{plots(report)}</div>")  # the plots are well-formed XML
    assert [svg.get("id") for svg in figures.iter(f"{SVG}svg")] == ["latency-plot", "attempts-plot"]
