"""What the data dir can keep: the one check every input that becomes state goes through.

A value is storable when SQLite and JSON can write it and read the same value back, and
a push can carry it on: text that encodes as UTF-8 (no unpaired UTF-16 surrogate, as
``\\ud800`` escapes or undecodable bytes in flags and files give), whole numbers that
fit in 64 bits, finite floats. Anything else would kill a write, or be altered by it
(SQLite keeps NaN as NULL), so it is refused before it enters the simulator's state.
"""
from __future__ import annotations

import math
from typing import Any

_INT64 = 2**63


def unstorable(value: Any) -> str | None:
    """What in ``value`` (text, number, or lists and mappings of them) cannot be stored; None if it all can."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return "an unpaired UTF-16 surrogate (text that is not valid Unicode)"
        elif isinstance(item, bool) or item is None or isinstance(item, (bytes, bytearray)):
            continue
        elif isinstance(item, int):
            if not -_INT64 <= item < _INT64:
                return "a whole number beyond 64 bits"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "a number that is not finite"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        else:
            return f"a value of type {type(item).__name__}"
    return None
