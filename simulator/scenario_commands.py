"""``voicesim scenarios`` and ``voicesim validate``: list shipped scenarios, check scenario files."""
from __future__ import annotations

import argparse
import sys
from typing import Callable

from .scenarios import ScenarioError, load, shipped


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the two commands to the ``voicesim`` command line."""
    sub.add_parser("scenarios", help="list the shipped scenarios, one line each")
    p = sub.add_parser("validate", help="check scenario files (or shipped names) and name every problem")
    p.add_argument("files", nargs="+", metavar="FILE")


def list_scenarios(args: argparse.Namespace) -> int:
    """Print ``name  description`` for every shipped scenario."""
    found = shipped()
    width = max(map(len, found), default=0)
    for name in found:
        try:
            description = load(name).description
        except ScenarioError as exc:  # a broken shipped file is a bug; say so rather than hide it
            description = f"INVALID: {exc.problems[0]}"
        print(f"{name.ljust(width)}  {description}")
    return 0


def validate(args: argparse.Namespace) -> int:
    """Check each file; print every problem as ``file:line: field: message``; 0 only if all are valid."""
    bad = 0
    for spec in args.files:
        try:
            scenario = load(spec)
        except ScenarioError as exc:
            bad += 1
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            continue
        print(f"{spec}: ok ({scenario.name})")
    return 1 if bad else 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"scenarios": list_scenarios, "validate": validate}
