"""A load run against a real SP receiver on 127.0.0.1: the calls it places, and what the report counts
(bills re-pushed and given up, timeouts, a run the drain limit cuts short). Counts only, no timings:
at ``speed`` 36000 a call's life and the hourly re-push take a fraction of a real second."""
from __future__ import annotations

from simulator.load import LoadOptions, LoadRun
from simulator.testing import Answer, Receiver

FAST = 36_000.0  # the hourly bill re-push every 0.1 real seconds


def _options(receiver: Receiver, **overrides: object) -> LoadOptions:
    base: dict[str, object] = dict(rate=10.0, duration=0.3, speed=FAST, seed=4, drain=20.0,
                                   status_url=receiver.url("/status"), fee_url=receiver.url("/fee"))
    base.update(overrides)
    return LoadOptions(**base)  # type: ignore[arg-type]


async def test_bills_the_sp_refuses_are_re_pushed_six_times_then_given_up_and_the_report_says_so(sp_receiver):
    sp_receiver.answer_always("/fee", 500)
    report = await LoadRun(_options(sp_receiver)).run()

    assert (report.planned, report.placed, report.drained, report.unfinished) == (3, 3, True, 0)
    assert report.status_accepted == 12 == len(sp_receiver.on("/status"))  # callout, alerting, answer, disconnect
    b = report.bills
    messages = b.messages  # 3, unless a stalled loop placed two calls in one simulated second (merged)
    assert b.given_up_bills == 3 and b.given_up_messages == messages and b.accepted_first == 0
    assert b.re_pushes == 6 * messages and (b.owed_messages, b.owed_bills) == (0, 0)
    assert report.failures == {"HTTP 500": {"status": 0, "bill": 7 * messages}}
    assert len(sp_receiver.on("/fee")) == 7 * messages  # what the SP saw: each bill message 7 times
    assert sum(r.attempts for r in report.buckets) == 12 + 7 * messages
    assert report.latency["all"].count == 12 + 7 * messages  # a 500 is an answer: it has an answer time
    pushes = sp_receiver.on("/status")
    assert {r.body["statusInfo"]["userData"] for r in pushes} == {"load-0", "load-1", "load-2"}
    assert all(r.headers["X-AKSK"].startswith('UsernameToken Username="voicesimDemoAppKey') for r in pushes)


async def test_answers_slower_than_the_push_timeout_are_timeouts_without_an_answer_time(sp_receiver):
    sp_receiver.answer_always("/status", Answer(200, delay=0.6))
    report = await LoadRun(_options(sp_receiver, duration=0.2, push_timeout=0.2)).run()

    assert report.placed == 2 and report.status_failed == 8
    assert report.failures == {"timeout": {"status": 8, "bill": 0}}
    assert report.latency["status"].count == 0
    assert report.latency["bill"].count == report.bills.accepted_first == report.bills.messages > 0


async def test_a_scenario_decides_how_the_calls_end(sp_receiver):
    report = await LoadRun(_options(sp_receiver, scenarios=("busy",))).run()
    assert report.placed == 3 and report.status_accepted == 6  # busy: callout and disconnect only
    assert {r.body["statusInfo"].get("stateCode") for r in sp_receiver.on("/status")} == {None, 8102}


async def test_the_drain_limit_ends_a_run_whose_calls_are_still_live(sp_receiver):
    report = await LoadRun(_options(sp_receiver, rate=4.0, duration=0.5, speed=1.0, drain=0.3)).run()
    assert (report.placed, report.unfinished, report.drained) == (2, 2, False)
    assert sp_receiver.event_types() == ["callout", "callout"]  # a call at speed 1 rings after a second
    assert report.bills.messages == 0
