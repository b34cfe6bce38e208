"""Scenario patterns on RE2: linear time whatever the pattern, or refused at load."""
from __future__ import annotations

import pytest

from simulator.inputs import MAX_PATTERN, InputError, compile_pattern


def test_a_nested_quantifier_matches_correctly_on_a_long_hostile_text():
    # On Python's re this pair takes exponential time; RE2 answers in one linear pass.
    pattern = compile_pattern(r"(a+)+$")
    assert pattern.fullmatch("a" * 50_000 + "b") is None
    assert pattern.fullmatch("a" * 50_000) is not None


@pytest.mark.parametrize("text,words", [
    (r"(a)\1", "invalid escape sequence"),
    ("(?=a)a", "invalid perl operator"),
    ("(?<!a)b", "invalid perl operator"),
    ("86(", "missing )"),
    ("a{1000}{1000}", "bad repetition operator"),
    ("x" * (MAX_PATTERN + 1), "longer than"),
    ("\ud800", "unpaired UTF-16 surrogate"),
])
def test_what_re2_cannot_do_in_linear_time_is_refused(text, words):
    with pytest.raises(InputError, match="linear-time engine|longer than|surrogate") as err:
        compile_pattern(text)
    assert words in str(err.value)


def test_usual_patterns_work():
    assert compile_pattern(r"\+8613[0-9]{9}").fullmatch("+8613800000000")
    assert compile_pattern("order-[0-9]+").fullmatch("order-42")
    assert not compile_pattern("order-[0-9]+").fullmatch("order-42x")
