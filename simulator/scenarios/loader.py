"""Scenarios: YAML files saying which calls they apply to and what happens to them.

``load`` turns a file into a ``Scenario`` or raises ``ScenarioError`` naming the file,
line and field of every problem: its shape (``reader``) and its meaning
(ranges in order, probabilities in 0..1, known outcomes and result codes, patterns
that compile). Shipped scenarios are package data, found by name.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ..errors import CODES
from ..inputs import MAX_YAML_CHARS, InputError, Pattern, compile_pattern
from .chaos import FLOW_CONTROL, ApiChaos, BillChaos, Chaos, PortChange, StatusChaos
from .outcomes import ANSWERED, OUTCOMES, RINGING, Outcome, Span, parse_duration, parse_span
from .reader import Lines, Path, ScenarioError, read, schema_problems

__all__ = ["Match", "Scenario", "ScenarioError", "load", "load_all", "loads", "resolve", "shipped"]

SHIPPED_FOLDER = "shipped"  # inside this package: a link to the repository's top-level scenarios/


@dataclass(frozen=True, slots=True)
class Match:
    """Which calls a scenario applies to; every condition given must hold."""

    callee: str | None = None
    callee_prefix: str | None = None
    callee_pattern: Pattern | None = None
    user_data: str | None = None
    user_data_prefix: str | None = None
    user_data_pattern: Pattern | None = None

    def __call__(self, callee: str, user_data: str | None) -> bool:
        """True when a call to ``callee`` carrying ``user_data`` is selected."""
        if self.callee is not None and callee != self.callee:
            return False
        if self.callee_prefix is not None and not callee.startswith(self.callee_prefix):
            return False
        if self.callee_pattern is not None and not self.callee_pattern.fullmatch(callee):
            return False
        if self.user_data is not None or self.user_data_prefix is not None or self.user_data_pattern is not None:
            if user_data is None:
                return False
            if self.user_data is not None and user_data != self.user_data:
                return False
            if self.user_data_prefix is not None and not user_data.startswith(self.user_data_prefix):
                return False
            if self.user_data_pattern is not None and not self.user_data_pattern.fullmatch(user_data):
                return False
        return True


@dataclass(frozen=True, slots=True)
class Scenario:
    """A loaded, checked scenario."""

    name: str
    description: str
    seed: int
    match: Match
    outcomes: tuple[Outcome, ...]
    chaos: Chaos
    source: str


def shipped() -> dict[str, str]:
    """The scenarios shipped with the package: name -> file path."""
    folder = resources.files(__package__).joinpath(SHIPPED_FOLDER)
    return {os.path.splitext(f.name)[0]: str(f) for f in sorted(folder.iterdir(), key=lambda f: f.name)
            if f.name.endswith((".yaml", ".yml"))}


def resolve(spec: str) -> str:
    """A scenario file path: ``spec`` itself if it is a file, else the shipped scenario of that name."""
    if os.path.isfile(spec):
        return spec
    found = shipped().get(spec)
    if found is None:
        names = ", ".join(shipped())
        raise ScenarioError([f"{spec}: no such file, and no shipped scenario of that name (shipped: {names})"])
    return found


def load(spec: str, seed: int | None = None) -> Scenario:
    """Load and check one scenario (a path or a shipped name); ``seed`` overrides the file's."""
    path = resolve(spec)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(MAX_YAML_CHARS + 1)  # one more than allowed: the reader says it is too long
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{path}: cannot read: {exc}"]) from None
    return loads(text, path, seed)


def load_all(specs: list[str] | tuple[str, ...], seed: int | None = None) -> list[Scenario]:
    """Load every scenario, or raise one ``ScenarioError`` listing the problems of all of them."""
    out: list[Scenario] = []
    problems: list[str] = []
    for spec in specs:
        try:
            out.append(load(spec, seed))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    names = [s.name for s in out]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"scenario name {name!r} is given by more than one file")
    if problems:
        raise ScenarioError(problems)
    return out


def loads(text: str, source: str = "<scenario>", seed: int | None = None) -> Scenario:
    """Check and build a scenario from YAML ``text`` read from ``source``."""
    doc, lines, problems = read(source, text)
    if doc is None:
        raise ScenarioError(problems)
    refused = {_where(p) for p in problems}  # a value the reader refused is not the schema's to name again
    problems += [p for p in schema_problems(doc, lines) if _where(p) not in refused]
    builder = _Builder(lines)
    scenario = None
    try:
        scenario = builder.scenario(doc, seed)
    except (ScenarioError, KeyError, TypeError, AttributeError, ValueError):
        pass  # a document the schema refused may trip the builder; the schema named the cause
    seen = {_where(p) for p in problems}
    problems += [p for p in builder.problems if _where(p) not in seen]
    if problems or scenario is None:
        raise ScenarioError(sorted(problems, key=_line) or [f"{source}:1: invalid scenario"])
    return scenario


def _where(problem: str) -> str:
    return ": ".join(problem.split(": ", 2)[:2])  # file:line: field


def _line(problem: str) -> int:
    match = re.match(r".*?:(\d+): ", problem)
    return int(match.group(1)) if match else 0


class _Builder:
    """Semantic checks and construction; collects every problem before raising."""

    def __init__(self, lines: Lines) -> None:
        self.lines = lines
        self.problems: list[str] = []

    def bad(self, path: Path, text: str) -> None:
        self.problems.append(self.lines.problem(path, text))

    def span(self, value: Any, path: Path) -> Span | None:
        if value is None:
            return None
        try:
            return parse_span(value)
        except ValueError as exc:
            self.bad(path, str(exc))
            return None

    def duration(self, value: Any, path: Path, default: float) -> float:
        if value is None:
            return default
        try:
            return parse_duration(value)
        except ValueError as exc:
            self.bad(path, str(exc))
            return default

    def probability(self, value: Any, path: Path) -> float:
        if value is None:
            return 0.0
        if not 0.0 <= value <= 1.0:
            self.bad(path, f"{value!r} must be a probability between 0 and 1")
            return 0.0
        return float(value)

    def code(self, value: Any, path: Path, default: int) -> int:
        if value is None:
            return default
        if value not in CODES or value == 0:
            self.bad(path, f"{value} is not a result code the platform answers with (see simulator/errors.py)")
            return default
        return value

    def pattern(self, value: str | None, path: Path) -> Pattern | None:
        if not isinstance(value, str):  # absent, or refused by the schema
            return None
        try:
            return compile_pattern(value)  # RE2: linear time on every call, whatever the pattern
        except InputError as exc:
            self.bad(path, str(exc))
            return None

    def scenario(self, doc: dict[str, Any], seed: int | None) -> Scenario:
        m = doc.get("match", {})
        match = Match(m.get("callee"), m.get("callee_prefix"),
                      self.pattern(m.get("callee_pattern"), ("match", "callee_pattern")),
                      m.get("user_data"), m.get("user_data_prefix"),
                      self.pattern(m.get("user_data_pattern"), ("match", "user_data_pattern")))
        outcomes = tuple(self.outcome(o, ("outcomes", i)) for i, o in enumerate(doc["outcomes"]))
        chaos = self.chaos(doc.get("chaos", {}))
        if self.problems:
            raise ScenarioError(self.problems)
        return Scenario(doc["name"], doc.get("description", ""), doc.get("seed", 0) if seed is None else seed,
                        match, outcomes, chaos, self.lines.source)

    def outcome(self, doc: dict[str, Any], path: Path) -> Outcome:
        name = doc["outcome"]
        if name not in OUTCOMES:  # the schema says so too; then the checks below would only add noise
            self.bad(path + ("outcome",), f"unknown outcome {name!r}")
        elif "talk" in doc and name != ANSWERED:
            self.bad(path + ("talk",), f"only an answered call talks; outcome {name!r} ends unanswered")
        elif "ring" in doc and name not in RINGING:
            self.bad(path + ("ring",), f"outcome {name!r} fails before the phone rings; use alert for its delay")
        return Outcome(name, float(doc.get("weight", 1.0)), self.span(doc.get("alert"), path + ("alert",)),
                       self.span(doc.get("ring"), path + ("ring",)), self.span(doc.get("talk"), path + ("talk",)))

    def chaos(self, doc: dict[str, Any]) -> Chaos:
        status = bills = api = None
        if "status" in doc:
            s, p = doc["status"], ("chaos", "status")
            status = StatusChaos(self.span(s.get("latency"), p + ("latency",)),
                                 self.probability(s.get("drop"), p + ("drop",)),
                                 self.probability(s.get("duplicate"), p + ("duplicate",)),
                                 self.probability(s.get("reorder"), p + ("reorder",)),
                                 self.duration(s.get("reorder_window"), p + ("reorder_window",), 5.0))
        if "bills" in doc:
            b, p = doc["bills"], ("chaos", "bills")
            window = self.duration(b["merge_window"], p + ("merge_window",), 1.0) if "merge_window" in b else None
            bills = BillChaos(self.span(b.get("latency"), p + ("latency",)), window,
                              self.probability(b.get("fail"), p + ("fail",)))
        if "api" in doc:
            api = self.api(doc["api"], ("chaos", "api"))
        ports = []
        for i, change in enumerate(doc.get("ports", [])):
            capacity = None if change["capacity"] == "configured" else change["capacity"]
            ports.append(PortChange(self.duration(change["at"], ("chaos", "ports", i, "at"), 0.0), capacity))
        for i in range(1, len(ports)):
            if ports[i].at < ports[i - 1].at:
                self.bad(("chaos", "ports", i, "at"), "port changes must be listed in time order")
        return Chaos(status, bills, api, tuple(ports))

    def api(self, a: dict[str, Any], p: Path) -> ApiChaos:
        err = a.get("error", {})
        limit = a.get("rate_limit", {})
        outages = []
        for i, o in enumerate(a.get("outages", [])):
            start = self.duration(o["start"], p + ("outages", i, "start"), 0.0)
            end = self.duration(o["end"], p + ("outages", i, "end"), 0.0)
            if end <= start:
                self.bad(p + ("outages", i, "end"), f"an outage must end after it starts ({end:g}s <= {start:g}s)")
            outages.append((start, end))
        per = self.duration(limit.get("per"), p + ("rate_limit", "per"), 1.0)
        if "rate_limit" in a and per <= 0:
            self.bad(p + ("rate_limit", "per"), "the rate-limit window must be longer than 0 s")
            per = 1.0
        return ApiChaos(self.span(a.get("latency"), p + ("latency",)),
                        self.code(err.get("code"), p + ("error", "code"), 1020002),
                        self.probability(err.get("rate"), p + ("error", "rate")),
                        limit.get("requests"), per,
                        self.code(limit.get("code"), p + ("rate_limit", "code"), FLOW_CONTROL),
                        tuple(outages))
