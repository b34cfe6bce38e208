"""Voice templates: their variables, and filling them with a request's ``templateParas``.

Pure functions; the platform's rules (spec section 4): UTF-8 text of at most 900 bytes,
variables ``${TXT_n}`` (up to n characters of text), ``${NUM_n}`` (up to n digits),
``${DATE}`` and ``${TIME}``.
"""
from __future__ import annotations

import datetime
import re

MAX_TEMPLATE_BYTES = 900
_VAR = re.compile(r"\$\{(TXT|NUM)_([1-9][0-9]*)\}|\$\{(DATE|TIME)\}")
_OPEN = re.compile(r"\$\{[^}]*\}?")
_DIGITS = re.compile(r"[0-9]+")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
_TIME_FORMATS = ("%H:%M:%S", "%H:%M")


def variables(text: str) -> list[tuple[str, int]]:
    """The template's variables in order, as (kind, size): ("TXT", 10), ("DATE", 0), ..."""
    out: list[tuple[str, int]] = []
    for m in _VAR.finditer(text):
        out.append((m.group(1), int(m.group(2))) if m.group(1) else (m.group(3), 0))
    return out


def check_text(text: str) -> None:
    """Raise ValueError if ``text`` is not a valid template (too long, a malformed variable)."""
    size = len(text.encode("utf-8"))
    if size > MAX_TEMPLATE_BYTES:
        raise ValueError(f"template text is {size} bytes in UTF-8; at most {MAX_TEMPLATE_BYTES} allowed")
    for m in _OPEN.finditer(text):
        if not _VAR.fullmatch(m.group(0)):
            raise ValueError(f"unknown template variable {m.group(0)!r}: use ${{TXT_n}}, ${{NUM_n}}, "
                             "${DATE} or ${TIME}")


def _check_value(kind: str, size: int, value: str) -> str | None:
    """What is wrong with ``value`` for a variable, or None."""
    if kind == "TXT":
        return None if 1 <= len(value) <= size else f"must be 1-{size} characters"
    if kind == "NUM":
        return None if _DIGITS.fullmatch(value) and len(value) <= size else f"must be 1-{size} digits 0-9"
    formats = _DATE_FORMATS if kind == "DATE" else _TIME_FORMATS
    for fmt in formats:
        try:
            datetime.datetime.strptime(value, fmt)
            return None
        except ValueError:
            continue
    return "must be a date like 2026-01-31" if kind == "DATE" else "must be a time like 08:30 or 08:30:00"


def fill(text: str, paras: list[str]) -> str:
    """``text`` with its variables replaced by ``paras`` in order; ValueError naming the bad one."""
    wanted = variables(text)
    if len(paras) != len(wanted):
        raise ValueError(f"must have {len(wanted)} item(s), one per template variable, got {len(paras)}")
    for i, ((kind, size), value) in enumerate(zip(wanted, paras)):
        problem = _check_value(kind, size, value)
        if problem:
            name = f"{kind}_{size}" if size else kind
            raise ValueError(f"[{i}] for ${{{name}}} {problem}")
    it = iter(paras)
    filled = _VAR.sub(lambda _: next(it), text)
    if len(filled.encode("utf-8")) > MAX_TEMPLATE_BYTES:
        raise ValueError(f"fill the template past {MAX_TEMPLATE_BYTES} bytes")
    return filled
