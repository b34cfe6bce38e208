"""Untrusted YAML: bounded in size, nesting and alias expansion; values that cannot be kept are named."""
from __future__ import annotations

import pytest

from simulator.inputs import MAX_YAML_CHARS, read_yaml

LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8))


@pytest.mark.parametrize("text,words", [
    (LAUGHS, "f.yaml:4: d[7][8][8][9]: the document expands to more than 10000 values"),
    ("a: &a [1, *a]\n", "f.yaml:1: a[1]: an alias refers to a mapping or list that contains it"),
    ("a: &a {b: *a}\n", "f.yaml:1: a.b: an alias refers to a mapping or list that contains it"),
    ("a: 1\nb: x\x00y\n", "f.yaml:2: not valid YAML: character #x0000 is not allowed"),
    ('a: "x\\0y"\n', "f.yaml:1: a: must not contain a NUL character"),
    ('a: "\\ud800"\n', "f.yaml:1: a: must not contain an unpaired UTF-16 surrogate"),
    ("a: " + "9" * 5000 + "\n", "f.yaml:1: a: the integer is out of range (at most 19 digits)"),
    ("a: " + "9" * 20 + "\n", "f.yaml:1: a: the integer is out of range"),
    ("a: .nan\n", "f.yaml:1: a: nan is not a finite number"),
    ("a: -.inf\n", "f.yaml:1: a: -inf is not a finite number"),
    ("a: " + "[" * 40 + "]" * 40 + "\n", "f.yaml:1: nested more than 32 levels deep"),
    ("a: " + "[" * 60_000 + "\n", "f.yaml:1: nested more than 32 levels deep"),
    ("".join(" " * i + "- \n" for i in range(40)), "nested more than 32 levels deep"),
    ("x" * (MAX_YAML_CHARS + 1), f"at most {MAX_YAML_CHARS} allowed"),
    ("b: &b {c: 1}\na: {<<: *b}\n", "f.yaml:2: a: merge keys (<<) are not supported"),
    ("a: !!python/object/apply:os.system [x]\nb: !!python/name:os.system ''\n", "f.yaml:2: b: could not determine"),
    ("a: 1\na: 2\n", "f.yaml:2: a: duplicate key (first given on line 1)"),
])
def test_problem_names_file_line_and_field(text, words):
    _, _, problems = read_yaml("f.yaml", text)
    assert any(words in p for p in problems), problems


def test_plain_document_with_lines_and_shared_aliases():
    doc, lines, problems = read_yaml("f.yaml", "a: &x [1, 2]\nb:\n  c: *x\n  d: 2.5\n")
    assert problems == []
    assert doc == {"a": [1, 2], "b": {"c": [1, 2], "d": 2.5}}
    assert lines.of(("b", "d")) == 4 and lines.problem(("b", "c"), "m") == "f.yaml:3: b.c: m"


def test_empty_document_is_none_without_problems():
    assert read_yaml("f.yaml", "# nothing\n")[0::2] == (None, [])
