"""``GET /_sim/metrics``: the Prometheus text exposition format (version 0.0.4)."""
from __future__ import annotations

from typing import Iterable

from aiohttp import web

from ..delivery import RETRYING
from ..engine import ALERTING, ANSWERED, CALLOUT
from ..front import LEAN, FrontStats
from ..journal import Journal
from ..lateness import behind
from ..platform import Platform
from .keys import parts


def _label(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    # Every digit: ":g" would print a counter past a million (or a Unix time) rounded to six.
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _family(name: str, kind: str, help_text: str, samples: Iterable[tuple[dict[str, object], float]]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        text = ",".join(f'{k}="{_label(v)}"' for k, v in labels.items())
        number = _number(value)
        lines.append(f"{name}{{{text}}} {number}" if text else f"{name} {number}")
    return lines


def render(platform: Platform, journal: Journal, front: FrontStats | None = None) -> str:
    """Every metric, as text (``front``: the lean path's figures, when the app has one)."""
    live = platform.engine.counts()
    owed = list(platform.delivery.owed.values())
    ports = platform.ports
    lines: list[str] = []
    lines += _family("voicesim_calls", "gauge", "Live calls by state.",
                     [({"state": s}, live.get(s, 0)) for s in (CALLOUT, ALERTING, ANSWERED)])
    lines += _family("voicesim_calls_started_total", "counter", "Calls placed.", [({}, journal.started)])
    lines += _family("voicesim_calls_ended_total", "counter", "Calls ended, by disconnect stateCode.",
                     [({"stateCode": c}, n) for c, n in sorted(journal.ended.items())])
    lines += _family("voicesim_api_answers_total", "counter", "Platform API answers by resultcode and HTTP status.",
                     [({"resultcode": c, "status": s}, n) for (c, s), n in sorted(journal.api_answers.items())])
    lines += _family("voicesim_push_attempts_total", "counter",
                     "Push attempts to SPs by kind (status, bill) and outcome (accepted, refused, timeout, error, "
                     "not_sent: the push queue to its SP was full or its URL unusable).",
                     [({"kind": k, "outcome": o}, n) for (k, o), n in sorted(journal.push_outcomes.items())])
    lines += _family("voicesim_bills_pending_repush", "gauge", "Bills the SP has not accepted yet, to be re-pushed.",
                     [({}, sum(len(p.session_ids) for p in owed if p.state == RETRYING))])
    lines += _family("voicesim_bill_messages_owed", "gauge", "Bill messages not yet accepted nor given up.",
                     [({}, len(owed))])
    lines += _family("voicesim_bill_messages_given_up_total", "counter",
                     "Bill messages given up after the last re-push.", [({}, len(platform.delivery.given_up))])
    lines += _family("voicesim_ports_idle", "gauge", "Idle call ports (what idlePort reports).", [({}, ports.idle)])
    lines += _family("voicesim_ports_capacity", "gauge", "Call ports of the platform.", [({}, ports.capacity)])
    outbox, clock = platform.delivery.outbox, platform.clock
    lines += _family("voicesim_push_backlog", "gauge", "Pushes waiting in the queues to every SP origin.",
                     [({}, outbox.backlog)])
    by_origin = outbox.by_origin(clock.now())
    lines += _family("voicesim_push_backlog_by_origin", "gauge", "Pushes waiting in the queue to one SP origin.",
                     [({"origin": o}, d["queued"]) for o, d in sorted(by_origin.items())])
    lines += _family("voicesim_pushes_sending", "gauge", "Pushes on the wire to one SP origin.",
                     [({"origin": o}, d["sending"]) for o, d in sorted(by_origin.items())])
    late = clock.lateness.figures()
    lines += _family("voicesim_event_lateness_seconds", "gauge",
                     "How late scripted events ran over the last minute of real time (quantile 0.5, 0.99, 1 = max).",
                     [({"quantile": q}, v) for q, v in (("0.5", late.p50), ("0.99", late.p99), ("1", late.max))])
    lines += _family("voicesim_falling_behind", "gauge",
                     "1 when events run a simulated second or more late (p99): the simulator cannot keep its speed.",
                     [({}, int(behind(late.p99, None if clock.manual else clock.speed)))])
    lines += _journal(journal)
    if front is not None:
        lines += _family("voicesim_http_lean_answers_total", "counter",
                         "Platform API requests answered on the lean path (the plain POSTs on connections that "
                         "asked nothing else).", [({}, front.lean_answers)])
        lines += _family("voicesim_http_handed_off_total", "counter",
                         "Connections the lean path handed to aiohttp, at their first request it does not serve.",
                         [({}, front.handed_off)])
    return "\n".join(lines) + "\n"


def _journal(journal: Journal) -> list[str]:
    store = journal.store
    lines = _family("voicesim_journal_backlog", "gauge", "Journal entries not yet written to the data dir.",
                    [({}, store.backlog if store else 0)])
    lines += _family("voicesim_journal_degraded", "gauge",
                     "1 while the data dir is not a full copy of the journal (writes failing, or entries lost).",
                     [({}, 1 if store and store.degraded else 0)])
    lines += _family("voicesim_journal_write_errors_total", "counter",
                     "Failed tries to write the journal to the data dir (a failed retry counts again).",
                     [({}, store.write_errors if store else 0)])
    lines += _family("voicesim_journal_entries_lost_total", "counter",
                     "Journal entries that could not be written to the data dir and never will be.",
                     [({}, store.entries_lost if store else 0)])
    lines += _family("voicesim_journal_last_error_timestamp_seconds", "gauge",
                     "When the last journal write failed (Unix time; 0: never). /_sim/health has its message.",
                     [({}, (store.error_at or 0) if store else 0)])
    return lines


async def metrics(request: web.Request) -> web.Response:
    """``GET /_sim/metrics``: Prometheus text format."""
    platform, journal = parts(request)
    lean = request.app.get(LEAN)
    return web.Response(text=render(platform, journal, lean.stats if lean else None), content_type="text/plain",
                        headers={"X-Content-Type-Options": "nosniff"}, charset="utf-8")
