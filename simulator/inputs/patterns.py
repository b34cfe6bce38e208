"""Patterns from untrusted files, run in linear time: google-re2, never Python's backtracking ``re``.

A scenario's ``callee_pattern`` runs against every call; with ``re`` a pattern such as ``(a+)+$``
takes seconds per call and blocks the event loop. RE2 matches in time linear in the text; what it
cannot do in linear time (backreferences, lookaround) it refuses to compile, and so do we.
"""
from __future__ import annotations

from typing import Protocol

import re2

from .errors import InputError

MAX_PATTERN = 1000  # characters
_MAX_MEM = 1 << 20  # bytes RE2 may use for one compiled pattern


class Pattern(Protocol):
    """A compiled pattern: what the scenarios use of it."""

    def fullmatch(self, text: str) -> object | None:
        """A match object if all of ``text`` matches, else None."""


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # the refusal is ours to report, not RE2's to print on stderr
    options.max_mem = _MAX_MEM
    return options


def compile_pattern(text: str) -> Pattern:
    """``text`` compiled by RE2, or InputError saying why not (syntax RE2 lacks, too long, too big)."""
    if len(text) > MAX_PATTERN:
        raise InputError(f"longer than {MAX_PATTERN} characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("contains an unpaired UTF-16 surrogate") from None
    try:
        compiled: Pattern = re2.compile(text, _options())
    except re2.error as exc:
        why = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise InputError(f"not a valid regular expression for the linear-time engine (RE2): {why}") from None
    return compiled
