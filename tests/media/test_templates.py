"""Pure rules of voice templates: their variables, filling them, checking their text."""
from __future__ import annotations

import pytest

from simulator.media import check_text, fill, variables

TEXT = "Dear ${TXT_5}, your code is ${NUM_6}, valid until ${DATE} ${TIME}."


def test_variables_in_order():
    assert variables(TEXT) == [("TXT", 5), ("NUM", 6), ("DATE", 0), ("TIME", 0)]


def test_fill_replaces_in_order():
    assert fill(TEXT, ["Ann", "0042", "2026-01-31", "08:30"]) == \
        "Dear Ann, your code is 0042, valid until 2026-01-31 08:30."


@pytest.mark.parametrize("paras, text", [
    (["Ann", "42", "2026-01-31"], "must have 4 item(s)"),
    (["Annabel", "42", "2026-01-31", "08:30"], "${TXT_5} must be 1-5 characters"),
    (["Ann", "4a", "2026-01-31", "08:30"], "${NUM_6} must be 1-6 digits"),
    (["Ann", "42", "2026-02-30", "08:30"], "${DATE} must be a date"),
    (["Ann", "42", "2026-01-31", "25:00"], "${TIME} must be a time"),
])
def test_fill_names_the_bad_parameter(paras, text):
    with pytest.raises(ValueError) as exc:
        fill(TEXT, paras)
    assert text in str(exc.value)


def test_check_text_refuses_unknown_variables():
    check_text(TEXT)
    for bad in ("${TXT}", "${NUM_0}", "${txt_5}", "${DATE", "${CODE}"):
        with pytest.raises(ValueError):
            check_text("a " + bad)
