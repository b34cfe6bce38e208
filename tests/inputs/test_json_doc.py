"""Strict JSON: what Python's json lets through and a body must not carry."""
from __future__ import annotations

import pytest

from simulator.inputs import MAX_DEPTH, InputError, loads


@pytest.mark.parametrize("raw,words", [
    (b'{"a": NaN}', "NaN is not a number JSON allows"),
    (b'{"a": Infinity}', "Infinity is not a number JSON allows"),
    (b'{"a": -Infinity}', "-Infinity is not a number JSON allows"),
    (b'{"a": 1e999}', "the number 1e999 is out of range"),
    (b'{"a": -1e400}', "out of range"),
    (b'{"a": 1' + b"0" * 5000 + b"}", "is not valid JSON"),
    (b'{"a": "\\ud800"}', "unpaired UTF-16 surrogate"),
    (b'{"\\udfff": 1}', "unpaired UTF-16 surrogate"),
    (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "nested too deeply"),
    (b"[" * 100_000, "nested too deeply"),
    (b'{"a": "\xff"}', "is not valid JSON"),
])
def test_refused(raw, words):
    with pytest.raises(InputError, match=words):
        loads(raw)


def test_what_a_body_may_hold_passes_unchanged():
    assert loads(b'{"a": [1, 2.5, "\\ud83d\\ude00", {"b": null}], "c": true}') == \
        {"a": [1, 2.5, "\U0001F600", {"b": None}], "c": True}
    deep = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert loads(deep) is not None
    assert loads(b'{"n": 1e308}') == {"n": 1e308}  # large but finite: the fields' own ranges judge it
