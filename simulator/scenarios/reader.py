"""Reading a scenario file: YAML composed node by node so every problem names its line.

Checks here are about the file's shape (YAML syntax, tabs, duplicate keys, a mapping
at the top, the JSON Schema); the meaning of the values is checked in ``scenarios``.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from ..inputs import Lines, YamlPath, field_name, read_yaml

__all__ = ["Lines", "Path", "ScenarioError", "field_name", "read", "schema", "schema_problems"]

Path = YamlPath


class ScenarioError(ValueError):
    """One or more problems with scenario files, each naming file, line and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def read(source: str, text: str) -> tuple[Any, Lines, list[str]]:
    """Parse ``text`` (from file ``source``): the plain document, its lines, and shape problems.

    The YAML is read within limits (size, nesting, alias expansion: ``inputs.read_yaml``), so a
    hostile file costs bounded time and memory and still gets ``file:line: field: message``.
    """
    problems = [f"{source}:{n}: tab character at column {line.index(chr(9)) + 1}: indent and separate with spaces"
                for n, line in enumerate(text.splitlines(), 1) if "\t" in line]
    if problems:
        return None, Lines(source), problems[:20]
    doc, lines, problems = read_yaml(source, text)
    if doc is None and not problems:
        return None, lines, [f"{source}:1: the file is empty: a scenario is a mapping with name and outcomes"]
    if doc is not None and not isinstance(doc, dict):
        kind = "a list" if isinstance(doc, list) else "a single value"
        return None, lines, [f"{source}:{lines.of(())}: a scenario must be a mapping "
                             f"(name: ..., outcomes: ...), not {kind}"]
    return doc, lines, problems


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The scenario JSON Schema shipped in the package (``simulator/scenarios/schema.json``)."""
    return json.loads(resources.files(__package__).joinpath("schema.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def schema_problems(doc: dict[str, Any], lines: Lines) -> list[str]:
    """Every schema violation of ``doc``, as ``file:line: field: message`` lines, in file order."""
    found: list[tuple[int, str]] = []
    for err in _validator().iter_errors(doc):
        path: Path = tuple(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set(err.schema.get("properties", {}))
            for key in sorted(set(err.instance) - allowed):
                sub = path + (key,)
                known = ", ".join(sorted(allowed))
                found.append((lines.of(sub), lines.problem(sub, f"unknown key; known keys here: {known}")))
            continue
        found.append((lines.of(path), lines.problem(path, _message(err))))
    return [text for _, text in sorted(found, key=lambda p: p[0])]


def _message(err: Any) -> str:
    kind = err.validator
    if kind == "enum":
        return f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
    if kind == "oneOf" and err.absolute_path and err.absolute_path[-1] == "capacity":
        return f"{err.instance!r} must be a number of ports 0-65535 or \"configured\""
    if kind == "oneOf":
        return f"{err.instance!r} is not a duration (write e.g. 2s, 500ms, 1.5m, or a range 2s..6s)"
    if kind == "required":
        return err.message.replace("is a required property", "is required")
    if kind in ("minimum", "maximum") and err.schema == schema()["$defs"]["probability"]:
        return f"{err.instance!r} must be a probability between 0 and 1"
    return err.message
