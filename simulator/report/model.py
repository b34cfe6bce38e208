"""What a report is made of: findings (a problem, how often, one example, the spec, the fix) and push latencies.

Each type has ``to_json`` and a strict ``from_json``: ``GET /_sim/report`` sends a
report as JSON and ``voicesim report --url`` reads it back into the same objects the
data-dir path builds, so both render alike.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WARNING, ERROR = "warning", "error"
SEVERITIES = (WARNING, ERROR)  # ascending
CATEGORIES = ("signature", "fields", "api", "pushes")  # the order a report lists them in
CATEGORY_TITLES = {"signature": "Signature", "fields": "Request fields", "api": "Use of the API",
                   "pushes": "Push answers"}


def at_least(severity: str, threshold: str) -> bool:
    """True if ``severity`` is ``threshold`` or worse."""
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, grouped: every occurrence of it in the journal, counted, with the first as example.

    ``id`` is stable (``signature.hex_digest``, ``field.statusUrl.base64_url``,
    ``push.http_500``); ``where`` is the SP URL or API path it concerns; ``first_at`` and
    ``last_at`` are simulated epoch seconds.
    """

    id: str
    severity: str
    category: str
    title: str
    count: int
    example: str
    spec: str
    fix: str
    where: str = ""
    first_at: float = 0.0
    last_at: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """As ``/_sim/report`` shows it."""
        return {"id": self.id, "severity": self.severity, "category": self.category, "title": self.title,
                "count": self.count, "example": self.example, "spec": self.spec, "fix": self.fix,
                "where": self.where, "firstAt": self.first_at, "lastAt": self.last_at}

    @classmethod
    def from_json(cls, doc: Any) -> Finding:
        """Read ``to_json``'s form; ValueError for anything else."""
        d = _object(doc, "finding")
        finding = cls(_str(d, "id"), _str(d, "severity"), _str(d, "category"), _str(d, "title"), _int(d, "count"),
                      _str(d, "example"), _str(d, "spec"), _str(d, "fix"), _str(d, "where"),
                      _num(d, "firstAt"), _num(d, "lastAt"))
        if finding.severity not in SEVERITIES:
            raise ValueError(f"finding {finding.id}: severity must be one of {', '.join(SEVERITIES)}")
        return finding


@dataclass(frozen=True, slots=True)
class Latency:
    """How fast one SP URL answered pushes (real seconds): answers counted, p50, p99 and the slowest."""

    url: str
    answers: int
    p50: float
    p99: float
    slowest: float
    timeouts: int

    def to_json(self) -> dict[str, Any]:
        """As ``/_sim/report`` shows it."""
        return {"url": self.url, "answers": self.answers, "p50": self.p50, "p99": self.p99,
                "slowest": self.slowest, "timeouts": self.timeouts}

    @classmethod
    def from_json(cls, doc: Any) -> Latency:
        """Read ``to_json``'s form; ValueError for anything else."""
        d = _object(doc, "latency")
        return cls(_str(d, "url"), _int(d, "answers"), _num(d, "p50"), _num(d, "p99"), _num(d, "slowest"),
                   _int(d, "timeouts"))


@dataclass(frozen=True, slots=True)
class Report:
    """Every problem the journal shows, worst first, the SP URLs' answer times, and how much was looked at."""

    findings: tuple[Finding, ...]
    latency: tuple[Latency, ...]
    requests: int  # platform requests looked at
    pushes: int  # pushes with at least one attempt looked at
    slow_after: float  # p99 answer time (s) above which a URL is reported slow

    def failing(self, threshold: str) -> list[Finding]:
        """The findings at ``threshold`` or worse."""
        return [f for f in self.findings if at_least(f.severity, threshold)]

    def to_json(self) -> dict[str, Any]:
        """As ``/_sim/report`` shows it."""
        return {"findings": [f.to_json() for f in self.findings], "latency": [x.to_json() for x in self.latency],
                "requests": self.requests, "pushes": self.pushes, "slowAfter": self.slow_after,
                "errors": sum(f.severity == ERROR for f in self.findings),
                "warnings": sum(f.severity == WARNING for f in self.findings)}

    @classmethod
    def from_json(cls, doc: Any) -> Report:
        """Read ``to_json``'s form (e.g. a running simulator's answer); ValueError for anything else."""
        d = _object(doc, "report")
        findings, latency = d.get("findings"), d.get("latency")
        if not isinstance(findings, list) or not isinstance(latency, list):
            raise ValueError("report: findings and latency must be lists")
        return cls(tuple(Finding.from_json(f) for f in findings), tuple(Latency.from_json(x) for x in latency),
                   _int(d, "requests"), _int(d, "pushes"), _num(d, "slowAfter"))


def _object(doc: Any, what: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise ValueError(f"{what} must be a JSON object")
    return doc


def _str(d: dict[str, Any], name: str) -> str:
    value = d.get(name)
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    return value


def _int(d: dict[str, Any], name: str) -> int:
    value = d.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer")
    return value


def _num(d: dict[str, Any], name: str) -> float:
    value = d.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number")
    return float(value)

