"""Scenarios: YAML files that say which calls they take and what happens to them, and chaos on purpose.

``reader`` parses a file keeping every line, ``loader`` checks and builds a ``Scenario``,
``outcomes`` turns an outcome into a call script, ``chaos`` holds the pure, seeded
decisions, and ``runtime`` is the set of scenarios in play while the simulator runs.
The shipped scenario files are the repository's top-level ``scenarios/`` folder.
"""
from .chaos import ApiChaos, BillChaos, Chaos, PortChange, StatusChaos, unit
from .loader import Match, Scenario, load, load_all, loads, resolve, shipped
from .outcomes import OUTCOMES, Outcome, Span, Timing, parse_duration, parse_span, reshape
from .reader import ScenarioError, schema
from .runtime import DEFAULT, ApiGate, CallChaos, CallPlan, ScenarioSet

__all__ = ["DEFAULT", "OUTCOMES", "ApiChaos", "ApiGate", "BillChaos", "CallChaos", "CallPlan", "Chaos", "Match",
           "Outcome", "PortChange", "Scenario", "ScenarioError", "ScenarioSet", "Span", "StatusChaos", "Timing",
           "load", "load_all", "loads", "parse_duration", "parse_span", "reshape", "resolve", "schema", "shipped",
           "unit"]
