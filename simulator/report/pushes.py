"""How the SP answered pushes, as findings: refusals, timeouts, redirects, bad bill answers, slow URLs,
duplicated or out-of-order status events refused, bills given up; and each URL's answer times.

Pure: pushes with their attempts in, occurrences added to ``Groups``. An attempt the
platform's own chaos judged lost (``bills.fail``) is the platform's doing, not the SP's.
"""
from __future__ import annotations

import math
from collections import defaultdict
from typing import Sequence

from ..delivery import GIVEN_UP, TIMEOUT, TLS, UNSENT, Attempt, Push, outcome
from ..delivery.push_chaos import LOST
from .catalog import BILLS, STATUS
from .groups import Groups, Words, text_of, trim
from .model import ERROR, WARNING, Latency

_LOST = "A status event is pushed once and never again: one not accepted is lost to you."
_AGAIN = ("A bill message not accepted comes again an hour later, at most 6 times, then only as a bill file "
          "support sends by hand.")


def add_push_findings(pushes: Sequence[Push], groups: Groups, slow_after: float) -> list[Latency]:
    """Add every failed push attempt and slow URL of ``pushes``; return each URL's answer times."""
    ordered = sorted(pushes, key=lambda p: p.id)
    duplicates, out_of_order = _refused_repeats(ordered)
    for push in ordered:
        for n, a in enumerate(push.attempts):
            if a.ok or a.error == LOST:
                continue
            if n == 0 and push.id in duplicates:
                _duplicate(push, a, groups)
            elif n == 0 and push.id in out_of_order:
                _out_of_order(push, a, groups)
            else:
                _failed(push, a, groups)
        if push.state == GIVEN_UP:
            _given_up(push, groups)
    latency = latencies(ordered)
    for row in latency:
        if row.answers and row.p99 > slow_after:
            _slow(row, ordered, slow_after, groups)
    return latency


def _given_up(push: Push, groups: Groups) -> None:
    last = push.attempts[-1]
    groups.add("push.bills_given_up", push.url, last.at, lambda: Words(
        ERROR, "pushes", "Bill messages given up after every re-push", BILLS,
        "Answer bill pushes with HTTP 200 once stored. " + _AGAIN, example(push, last)))


def _slow(row: Latency, pushes: Sequence[Push], slow_after: float, groups: Groups) -> None:
    push, slowest = max(((p, a) for p in pushes if p.url == row.url for a in p.attempts if a.status is not None),
                        key=lambda pa: pa[1].elapsed)
    groups.add("push.slow", row.url, slowest.at, lambda: Words(
        WARNING, "pushes", f"Slow answers: p99 {row.p99:.2f} s, p50 {row.p50:.2f} s (over {slow_after:g} s)",
        f"{STATUS}; {BILLS}",
        "Answer first, then process: a slow endpoint meets the push timeout (10 s on the platform), and bills "
        "not answered in time come again.", example(push, slowest) + f"\nanswered after {slowest.elapsed:.2f} s"))


def _failed(push: Push, a: Attempt, groups: Groups) -> None:
    status = a.status
    kind = outcome(a)
    if kind == UNSENT:  # the simulator's own queue to this SP was full: the SP was slow, not wrong
        groups.add("push.not_sent", push.url, a.at, lambda: Words(
            WARNING, "pushes", "Status events not sent: the queue to this endpoint was full", STATUS,
            "Pushes waited for this endpoint faster than it answered: answer sooner (acknowledge, then process), "
            "or send less traffic (voicesim: a lower rate or speed, or a larger --push-queue).", example(push, a)))
        return
    if kind == TIMEOUT:
        what, title = "timeout", "Pushes not answered within the push timeout"
        fix = "Answer within the timeout (10 s on the platform): acknowledge at once, process afterwards."
    elif kind == TLS:
        what, title = "tls", "Pushes refused at the TLS handshake (certificate not trusted, or handshake failed)"
        fix = ("Serve a certificate chain the platform trusts, for the host name in the URL (against voicesim: "
               "give your own CA with --push-ca-file).")
    elif status is None:
        what, title = "unreachable", "Pushes that found no endpoint (connection refused, reset or dropped)"
        fix = "Keep the endpoint up at the URL given, and answer every request before closing it."
    elif 300 <= status < 400:
        what, title = "redirect", f"Pushes answered with a redirect (HTTP {status})"
        fix = "The platform does not follow redirects: give the final URL (mind http/https and a trailing slash)."
    elif status != 200:
        what, title = f"http_{status}", f"Pushes answered HTTP {status}"
        fix = "Answer HTTP 200 as soon as the push is received and stored."
    else:  # only bills need more than a 200
        groups.add("push.bill_resultcode", push.url, a.at, lambda: Words(
            ERROR, "pushes", 'Bills answered HTTP 200 with a resultcode other than "0"', BILLS,
            'Answer {"resultcode": "0"} (or no resultcode) once the bills are stored. ' + _AGAIN, example(push, a)))
        return
    bill = push.kind == "bill"
    groups.add(f"push.{what}.{push.kind}", push.url, a.at, lambda: Words(
        ERROR, "pushes", title + (" (bill messages)" if bill else " (status events)"), BILLS if bill else STATUS,
        fix + " " + (_AGAIN if bill else _LOST), example(push, a)))


def _duplicate(push: Push, a: Attempt, groups: Groups) -> None:
    groups.add("push.duplicate_refused", push.url, a.at, lambda: Words(
        WARNING, "pushes", "A status event delivered twice was refused the second time", STATUS,
        "The platform may push a status event twice: answer 200 to a repeat of (sessionId, eventType) too, "
        "and ignore it.", example(push, a)))


def _out_of_order(push: Push, a: Attempt, groups: Groups) -> None:
    groups.add("push.out_of_order_refused", push.url, a.at, lambda: Words(
        ERROR, "pushes", "A status event arriving after a later one of its call was refused", STATUS,
        "Events of a call may arrive out of order: answer 200 to each, and order them by their timestamp "
        "(a disconnect is final whatever comes after it).", example(push, a)))


def _refused_repeats(pushes: Sequence[Push]) -> tuple[set[int], set[int]]:
    """Status pushes whose first attempt the SP refused although it accepted: the same event (a duplicate),
    or a later event of the call that had reached it before (out of order)."""
    # Only the calls with a refused status push need a closer look (most runs have few or none).
    refused_calls = {(p.url, p.session_ids[0]) for p in pushes
                     if p.kind == "status" and p.session_ids and _refused(p)}
    if not refused_calls:
        return set(), set()
    calls: dict[tuple[str, str], list[Push]] = defaultdict(list)
    for p in pushes:
        if p.kind == "status" and p.session_ids and (p.url, p.session_ids[0]) in refused_calls:
            calls[(p.url, p.session_ids[0])].append(p)
    duplicates: set[int] = set()
    out_of_order: set[int] = set()
    for of_call in calls.values():
        copies: dict[bytes, list[Push]] = defaultdict(list)
        for p in of_call:
            copies[bytes(p.body)].append(p)
        for same in copies.values():
            if len(same) > 1 and any(_accepted(q) for q in same):
                duplicates.update(p.id for p in same if _refused(p))
        for p in of_call:
            if p.id in duplicates or not _refused(p):
                continue
            sent = p.attempts[0].at
            if any(_accepted(q) and q.created > p.created and q.attempts[0].at <= sent for q in of_call):
                out_of_order.add(p.id)
    return duplicates, out_of_order


def _accepted(p: Push) -> bool:
    return p.attempts[0].ok


def _refused(p: Push) -> bool:
    a = p.attempts[0]
    return not a.ok and a.error != LOST


def latencies(pushes: Sequence[Push]) -> list[Latency]:
    """Each SP URL's answer times (real seconds; answered attempts only) and timeouts, by URL."""
    times: dict[str, list[float]] = defaultdict(list)
    timeouts: dict[str, int] = defaultdict(int)
    for p in pushes:
        for a in p.attempts:
            if a.status is not None:
                times[p.url].append(a.elapsed)
            elif (a.error or "").startswith("timeout"):
                timeouts[p.url] += 1
    rows = []
    for url in sorted(set(times) | set(timeouts)):
        answered = sorted(times[url])
        rows.append(Latency(url, len(answered), percentile(answered, 0.5), percentile(answered, 0.99),
                            answered[-1] if answered else 0.0, timeouts[url]))
    return rows


def percentile(ordered: Sequence[float], q: float) -> float:
    """The nearest-rank ``q`` percentile of ``ordered`` (sorted); 0 for none."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def example(push: Push, a: Attempt) -> str:
    """One push attempt as a report shows it: what went where, what came back, the body (trimmed)."""
    what = f"bill message of {len(push.session_ids)} bill(s)" if push.kind == "bill" else f"'{push.event}' event"
    sid = push.session_ids[0] if push.session_ids else "?"
    result = f"HTTP {a.status}" if a.status is not None else a.error or "no answer"
    if a.status == 200 and a.error:
        result += f" ({a.error})"
    return f"POST {push.url} ({what} of call {sid}) -> {result}\n{trim(text_of(push.body))}"
