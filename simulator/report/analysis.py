"""The report of a run: every refused request and failed push of its records, grouped into findings."""
from __future__ import annotations

from .groups import Groups
from .model import Report
from .pushes import add_push_findings
from .refusals import add_request_findings
from .sources import Records

SLOW_AFTER = 1.0  # seconds: a URL whose p99 answer time is above this is slow


def analyze(records: Records, slow_after: float = SLOW_AFTER) -> Report:
    """Every problem ``records`` show, grouped, worst first; push URLs slower than ``slow_after`` (p99) too."""
    groups = Groups()
    add_request_findings(records.requests, records.events, groups)
    latency = add_push_findings(records.pushes, groups, slow_after)
    return Report(tuple(groups.findings()), tuple(latency), len(records.requests), len(records.pushes), slow_after)
