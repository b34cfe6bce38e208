"""YAML from untrusted files, within limits, with the line of every key and item.

PyYAML composes an alias as a shared node, so a few hundred bytes of nested aliases describe
billions of values; turning them into plain data would expand every one. Here the composer's
nesting is bounded, and the expansion counts every value it makes, aliases included, against a
budget; an alias inside its own anchor is a problem, not an endless loop. Scalars are refused
when they could not be kept or sent on: NaN and infinities, integers past 64 bits, NUL characters
and unpaired surrogates. Every problem reads ``file:line: field: message``.
"""
from __future__ import annotations

import math
import re
from typing import Any

import yaml

from .errors import InputError
from .text import storable

MAX_YAML_CHARS = 256 * 1024  # characters of YAML text; scenario and config files are a few hundred
MAX_NESTING = 32  # mappings and lists inside each other, aliases included
MAX_VALUES = 10_000  # keys, items and scalars after alias expansion
_MAX_INT = 2**63 - 1
_TOO_BIG = "the integer is out of range (at most 19 digits)"
_FLOW = re.compile(r"[\[\]{}\n]")

YamlPath = tuple[str | int, ...]


def field_name(path: YamlPath) -> str:
    """``("outcomes", 0, "ring")`` -> ``outcomes[0].ring``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top level)"


class Lines:
    """The line (1-based) of every key and item of a composed document, by path."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.at: dict[YamlPath, int] = {}

    def of(self, path: YamlPath) -> int:
        """The line of ``path``, or of its nearest ancestor the file shows."""
        while path not in self.at and path:
            path = path[:-1]
        return self.at.get(path, 1)

    def problem(self, path: YamlPath, text: str) -> str:
        """``file:line: field: text``."""
        return f"{self.source}:{self.of(path)}: {field_name(path)}: {text}"


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _Loader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no types
    """The safe loader, refusing to compose past ``MAX_NESTING`` (its composer recurses per level)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.nesting = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        self.nesting += 1
        try:
            if self.nesting > MAX_NESTING:
                raise _TooDeep(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self.nesting -= 1


def _flow_too_deep(text: str) -> int | None:
    """The first line whose brackets open more than ``MAX_NESTING`` levels, if any.

    PyYAML's scanner looks ahead over every ``[`` or ``{`` of a line that might start a key, at a
    cost quadratic in how many are open; counting them first keeps a line of brackets cheap.
    """
    line, depth = 1, 0
    for char in _FLOW.findall(text):
        if char == "\n":
            line, depth = line + 1, 0
        elif char in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return line
        else:
            depth = max(depth - 1, 0)
    return None


def _compose(source: str, text: str) -> tuple[yaml.Node | None, list[str]]:
    if len(text) > MAX_YAML_CHARS:
        return None, [f"{source}:1: the file is {len(text)} characters long; at most {MAX_YAML_CHARS} allowed"]
    deep = _flow_too_deep(text)
    if deep is not None:
        return None, [f"{source}:{deep}: nested more than {MAX_NESTING} levels deep"]
    loader = None
    try:
        loader = _Loader(text)  # the reader checks every character here
        return loader.get_single_node(), []
    except _TooDeep as exc:
        return None, [f"{source}:{exc.line}: nested more than {MAX_NESTING} levels deep"]
    except yaml.reader.ReaderError as exc:  # a character YAML forbids (NUL, other controls): no mark
        line = text.count("\n", 0, exc.position) + 1
        return None, [f"{source}:{line}: not valid YAML: character #x{exc.character:04x} is not allowed"
                      if isinstance(exc.character, int) else f"{source}:{line}: not valid YAML: {exc.reason}"]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return None, [f"{source}:{mark.line + 1 if mark else 1}: not valid YAML: {exc.problem or exc}"]
    except (yaml.YAMLError, RecursionError) as exc:
        return None, [f"{source}:1: not valid YAML: {exc}"]
    finally:
        if loader is not None:
            loader.dispose()


def read_yaml(source: str, text: str) -> tuple[Any, Lines, list[str]]:
    """Parse ``text`` (from file ``source``) within the limits.

    Returns the plain document (None when it is empty or could not be read: then ``problems``
    says why, or is empty for an empty file), the line of every key and item, and the problems
    found, each ``file:line: field: message``.
    """
    lines = Lines(source)
    node, problems = _compose(source, text)
    if node is None:
        return None, lines, problems
    lines.at[()] = node.start_mark.line + 1
    plain = _Plain(lines, problems)
    try:
        doc = plain.value(node, ())
    except _Stop:
        return None, lines, problems
    return doc, lines, problems


class _Stop(Exception):
    """The document cannot be read further; the problem is already recorded."""


class _Plain:
    """Turns composed nodes into plain data, counting values and watching for cycles."""

    def __init__(self, lines: Lines, problems: list[str]) -> None:
        self.lines = lines
        self.problems = problems
        self.values = 0
        self.open: set[int] = set()  # collection nodes being expanded: meeting one again is a cycle
        self.loader = yaml.SafeLoader("")

    def stop(self, line: int, path: YamlPath, text: str) -> _Stop:
        self.problems.append(f"{self.lines.source}:{line}: {field_name(path)}: {text}")
        return _Stop()

    def value(self, node: yaml.Node, path: YamlPath) -> Any:
        line = self.lines.of(path[:1])  # an aliased node's own mark is its anchor's: name the top-level key
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.stop(line, path, f"the document expands to more than {MAX_VALUES} values "
                                        "(aliases count every time they are used)")
        if len(path) > MAX_NESTING:
            raise self.stop(line, path, f"nested more than {MAX_NESTING} levels deep (aliases included)")
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.open:
            raise self.stop(line, path, "an alias refers to a mapping or list that contains it")
        self.open.add(id(node))
        try:
            return self.mapping(node, path) if isinstance(node, yaml.MappingNode) else self.sequence(node, path)
        finally:
            self.open.discard(id(node))

    def mapping(self, node: yaml.Node, path: YamlPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(f"{self.lines.source}:{line}: {field_name(path)}: merge keys (<<) are not "
                                     "supported: write the keys out")
                continue
            key = self.scalar(key_node, path) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.problems.append(f"{self.lines.source}:{line}: {field_name(path)}: keys must be plain names")
                continue
            sub = path + (key,)
            if key in out:
                self.problems.append(f"{self.lines.source}:{line}: {field_name(sub)}: duplicate key "
                                     f"(first given on line {self.lines.at[sub]})")
                continue
            self.lines.at[sub] = line
            out[key] = self.value(value_node, sub)
        return out

    def sequence(self, node: yaml.Node, path: YamlPath) -> list[Any]:
        items = []
        for i, item in enumerate(node.value):
            self.lines.at[path + (i,)] = item.start_mark.line + 1
            items.append(self.value(item, path + (i,)))
        return items

    def scalar(self, node: yaml.Node, path: YamlPath) -> Any:
        where = f"{self.lines.source}:{node.start_mark.line + 1}: {field_name(path)}"
        try:
            value = self.loader.construct_object(node)
        except yaml.YAMLError as exc:  # a tag the safe loader refuses, a malformed timestamp, ...
            self.problems.append(f"{where}: {getattr(exc, 'problem', None) or exc}")
            return None
        except ValueError:  # an integer past Python's 4300 digits
            self.problems.append(f"{where}: {_TOO_BIG}")
            return None
        problem = _refused(value)
        if problem:
            self.problems.append(f"{where}: {problem}")
            return None
        return value


def _refused(value: Any) -> str | None:
    """Why a scalar cannot be taken, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a finite number"
    if isinstance(value, int) and abs(value) > _MAX_INT:
        return _TOO_BIG
    if isinstance(value, str):
        try:
            storable(value)
        except InputError as exc:
            return str(exc)
    return None
