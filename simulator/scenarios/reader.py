"""Reading a scenario file: YAML composed node by node so every problem names its line.

Checks here are about the file's shape (YAML syntax, tabs, duplicate keys, a mapping
at the top, the JSON Schema); the meaning of the values is checked in ``scenarios``.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from jsonschema import Draft202012Validator

Path = tuple[str | int, ...]


class ScenarioError(ValueError):
    """One or more problems with scenario files, each naming file, line and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def field_name(path: Path) -> str:
    """``("outcomes", 0, "ring")`` -> ``outcomes[0].ring``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top level)"


class Lines:
    """The line (1-based) of every key and item of a composed document, by path."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.at: dict[Path, int] = {}

    def of(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor the file shows."""
        while path not in self.at and path:
            path = path[:-1]
        return self.at.get(path, 1)

    def problem(self, path: Path, text: str) -> str:
        """``file:line: field: text``."""
        return f"{self.source}:{self.of(path)}: {field_name(path)}: {text}"


def read(source: str, text: str) -> tuple[Any, Lines, list[str]]:
    """Parse ``text`` (from file ``source``): the plain document, its lines, and shape problems."""
    lines = Lines(source)
    problems = [f"{source}:{n}: tab character at column {line.index(chr(9)) + 1}: indent and separate with spaces"
                for n, line in enumerate(text.splitlines(), 1) if "\t" in line]
    if problems:
        return None, lines, problems
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, lines, [f"{source}:{line}: not valid YAML: {exc.problem or exc}"]
    if node is None:
        return None, lines, [f"{source}:1: the file is empty: a scenario is a mapping with name and outcomes"]
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        return None, lines, [f"{source}:{node.start_mark.line + 1}: a scenario must be a mapping "
                             f"(name: ..., outcomes: ...), not {kind}"]
    lines.at[()] = node.start_mark.line + 1
    doc = _plain(node, (), lines, problems, yaml.SafeLoader(""))
    return doc, lines, problems


def _plain(node: yaml.Node, path: Path, lines: Lines, problems: list[str], loader: yaml.SafeLoader) -> Any:
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                problems.append(f"{lines.source}:{line}: {field_name(path)}: keys must be plain names")
                continue
            sub = path + (key,)
            if key in out:
                problems.append(f"{lines.source}:{line}: {field_name(sub)}: duplicate key "
                                f"(first given on line {lines.at[sub]})")
                continue
            lines.at[sub] = line
            out[key] = _plain(value_node, sub, lines, problems, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            lines.at[path + (i,)] = item.start_mark.line + 1
            items.append(_plain(item, path + (i,), lines, problems, loader))
        return items
    try:
        return loader.construct_object(node)
    except yaml.YAMLError as exc:
        problems.append(f"{lines.source}:{node.start_mark.line + 1}: {field_name(path)}: {exc}")
        return None


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
