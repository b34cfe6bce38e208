"""One call's lifecycle: its events with their push results, and the same as an SVG sequence diagram.

Pure functions of a ``Call`` and the pushes that carry its session id: the dashboard lists
the rows, ``GET /_sim/calls/{sessionId}/timeline.svg`` draws them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from ..clock import utc_text
from ..delivery import DELIVERED, GIVEN_UP, QUEUED, RETRYING, SENDING, Attempt, Push
from ..engine import Call

# The lanes of the diagram, left to right.
SP, PLATFORM, USER, STATUS_URL, FEE_URL = "SP server", "Platform", "User", "SP statusUrl", "SP feeUrl"
LANES = (SP, PLATFORM, USER, STATUS_URL, FEE_URL)

SERVICES = {"001": "verification code / notification", "002": "callback"}


@dataclass(frozen=True, slots=True)
class Event:
    """A status event of a call: when it happened and what became of its push."""

    event: str
    at: float
    result: str  # "200", "HTTP 500", "timeout after 10s", "sending", "no statusUrl"
    ok: bool | None  # None: not pushed (no URL) or not answered yet

    def to_json(self) -> dict[str, object]:
        """As the dashboard shows it."""
        return {"event": self.event, "at": utc_text(self.at), "atEpoch": round(self.at, 3),
                "result": self.result, "ok": self.ok}


@dataclass(frozen=True, slots=True)
class Arrow:
    """One message of the sequence diagram."""

    at: float
    source: str
    target: str
    label: str
    ok: bool | None = None  # colours the arrow: delivered, refused, or neither


def attempt_result(a: Attempt) -> str:
    """``200``, ``HTTP 503``, ``resultcode ...``, or the connection error."""
    if a.ok:
        return str(a.status)
    return a.error or (f"HTTP {a.status}" if a.status else "failed")


def _push_result(push: Push) -> tuple[str, bool | None]:
    if not push.attempts:  # waiting in its SP's queue, or on the wire
        return (QUEUED if push.state == QUEUED else SENDING), None
    last = push.attempts[-1]
    return attempt_result(last), last.ok


def happened(call: Call) -> list[tuple[str, float]]:
    """The call's status events as its own times tell them (without a journal to ask)."""
    reached = [("callout", call.start), ("alerting", call.alert), ("answer", call.answer), ("disconnect", call.end)]
    return [(name, at) for name, at in reached if at]


def events(call: Call, pushes: list[Push], seen: list[tuple[str, float]] | None = None) -> list[Event]:
    """The call's status events in order, each with the result of its push.

    ``seen``: the events as the journal recorded them, (eventType, time); without it they
    come from the call's own times. A push with no event left to match (a duplicate)
    is listed at the time it was made.
    """
    reached = happened(call) if seen is None else seen
    status = [p for p in pushes if p.kind == "status"]
    out: list[Event] = []
    used: set[int] = set()
    for name, at in reached:
        push = next((p for p in status if p.event == name and p.id not in used), None)
        if push is None:
            out.append(Event(name, at, "no statusUrl" if not (call.status_url or call.app.status_url) else "not pushed",
                             None))
            continue
        used.add(push.id)
        result, ok = _push_result(push)
        out.append(Event(name, at, result, ok))
    for push in status:
        if push.id not in used:
            result, ok = _push_result(push)
            out.append(Event(push.event, push.created, result, ok))
    out.sort(key=lambda e: e.at)
    return out


def bill_deliveries(pushes: list[Push]) -> list[dict[str, object]]:
    """The bill messages that carry the call, with every attempt."""
    return [{"id": p.id, "state": p.state, "bills": len(p.session_ids), "url": p.url, "created": utc_text(p.created),
             "nextAttempt": utc_text(p.next_at) if p.state == RETRYING else None,
             "attempts": [dict(a.to_json(), result=attempt_result(a)) for a in p.attempts]}
            for p in pushes if p.kind == "bill"]


def outcome(call: Call) -> str:
    """The call's state, or for an ended call its hang-up reason."""
    if call.ending is None:
        return call.state
    return f"{call.ending.state_code} {call.ending.desc}"


def arrows(call: Call, pushes: list[Push], seen: list[tuple[str, float]] | None = None) -> list[Arrow]:
    """Every message of the call's lifecycle, in time order."""
    service = SERVICES.get(call.service_type, call.service_type)
    out = [Arrow(call.start, SP, PLATFORM, f"request ({service})", True),
           Arrow(call.start, PLATFORM, SP, "resultcode 0, sessionId", True),
           Arrow(call.start, PLATFORM, USER, f"dial {call.callee}")]
    if call.alert:
        out.append(Arrow(call.alert, USER, PLATFORM, "ringing"))
    if call.answer:
        out.append(Arrow(call.answer, USER, PLATFORM, "answered"))
    if call.ending is not None:
        out.append(Arrow(call.end, PLATFORM, USER, f"hang up: {call.ending.state_code} {call.ending.desc}"))
    for e in events(call, pushes, seen):
        if e.ok is not None or e.result in (SENDING, QUEUED):
            out.append(Arrow(e.at, PLATFORM, STATUS_URL, f"{e.event} \u2192 {e.result}", e.ok))
    for p in pushes:
        if p.kind != "bill":
            continue
        for i, a in enumerate(p.attempts):
            again = f" (re-push {i})" if i else ""
            out.append(Arrow(a.at, PLATFORM, FEE_URL, f"fee, {len(p.session_ids)} bill(s){again} \u2192 "
                                                      f"{attempt_result(a)}", a.ok))
        if p.state == RETRYING:
            out.append(Arrow(p.next_at, PLATFORM, FEE_URL, "fee re-push due", None))
        elif p.state == GIVEN_UP:
            out.append(Arrow(p.attempts[-1].at, PLATFORM, PLATFORM, "given up: to the bill file", False))
        elif p.state != DELIVERED and not p.attempts:
            out.append(Arrow(p.created, PLATFORM, FEE_URL, "fee \u2192 sending", None))
    out.sort(key=lambda a: a.at)  # stable: same-time messages keep their causal order
    return out


# -- drawing ----------------------------------------------------------------------------
_LANE_W, _LEFT, _TOP, _ROW_H, _BOTTOM = 190, 110, 96, 34, 30
_COLOURS = {True: "#1a7f37", False: "#cf222e", None: "#57606a"}
# What XML 1.0 forbids in a document (control characters but tab and newlines, surrogates, U+FFFE/U+FFFF):
# an SP's answer quoted in an error can carry any of them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """``value`` as XML character data: escaped, and what XML cannot hold shown as U+FFFD."""
    return escape(_NOT_XML.sub("\ufffd", value))


def _short(label: str, limit: int = 56) -> str:
    # Connection errors run long; the full text stays in the arrow's tooltip.
    return label if len(label) <= limit else label[:limit - 1] + "\u2026"


def _lane_x(lane: str) -> int:
    return _LEFT + LANES.index(lane) * _LANE_W + _LANE_W // 2


def timeline_svg(call: Call, pushes: list[Push], seen: list[tuple[str, float]] | None = None) -> str:
    """The call's lifecycle as a standalone SVG sequence diagram (``seen``: as in ``events``)."""
    rows = arrows(call, pushes, seen)
    width = _LEFT + len(LANES) * _LANE_W + 20
    height = _TOP + len(rows) * _ROW_H + _BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
        '<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="12" y="22" font-size="14" font-weight="bold">{_text(call.session_id)}</text>',
        f'<text x="12" y="42" fill="#57606a">{_text(call.caller)} \u2192 {_text(call.callee)} \u00b7 '
        f'{_text(outcome(call))}</text>',
    ]
    for lane in LANES:
        x = _lane_x(lane)
        parts.append(f'<rect x="{x - 70}" y="56" width="140" height="26" rx="5" fill="#f6f8fa" stroke="#8c959f"/>')
        parts.append(f'<text x="{x}" y="73" text-anchor="middle" font-weight="bold">{_text(lane)}</text>')
        parts.append(f'<line x1="{x}" y1="82" x2="{x}" y2="{height - 10}" stroke="#d0d7de" stroke-dasharray="4 4"/>')
    for i, row in enumerate(rows):
        y = _TOP + i * _ROW_H + 18
        colour = _COLOURS[row.ok]
        offset = row.at - call.start
        parts.append(f'<text x="12" y="{y + 4}" fill="#57606a">{utc_text(row.at)[11:]} +{offset:.1f}s</text>')
        x1, x2 = _lane_x(row.source), _lane_x(row.target)
        if x1 == x2:  # a note on one lane
            parts.append(f'<text x="{x1 + 8}" y="{y + 4}" fill="{colour}">{_text(row.label)}</text>')
            continue
        parts.append(f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{colour}" stroke-width="1.6" '
                     f'marker-end="url(#head)"/>')
        parts.append(f'<text x="{(x1 + x2) // 2}" y="{y - 5}" text-anchor="middle" fill="{colour}">'
                     f'<title>{_text(row.label)}</title>{_text(_short(row.label))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
