"""Strict JSON for untrusted bodies: no NaN or Infinity, finite numbers, bounded depth, encodable strings.

Python's ``json`` accepts ``NaN``, ``Infinity`` and ``1e999`` (read as infinity), and a ``\\ud800``
escape that decodes to a string no encoder can write again; each of those would pass a type check
and break later (a NaN duration freezes every call, a lone surrogate cannot be pushed or stored).
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from .errors import InputError

MAX_DEPTH = 32  # arrays and objects inside each other; the platform's deepest body has 4 levels
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _no_constant(name: str) -> Any:
    raise InputError(f"is not valid JSON: {name} is not a number JSON allows")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InputError(f"is not valid JSON: the number {text[:32]} is out of range")
    return value


# One decoder for every body: ``json.loads`` with hooks builds a new decoder on each call.
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)


def loads(raw: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON document in ``raw`` (UTF-8), or InputError saying why it is refused."""
    try:
        # As json.loads reads bytes: UTF-8, or the UTF-16/32 its first bytes say, surrogates kept for the check below.
        doc = _DECODER.decode(raw.decode(json.detect_encoding(raw), "surrogatepass"))
    except InputError:
        raise
    except RecursionError:
        raise InputError("is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:  # also an integer past Python's 4300 digits
        raise InputError(f"is not valid JSON: {exc}") from None
    # Fewer brackets than the limit cannot nest past it: the walk is only paid for when it could.
    if raw.count(b"[") + raw.count(b"{") > max_depth and _depth(doc) > max_depth:
        raise InputError("is nested too deeply")
    if b"\\u" in raw and _SURROGATE_ESCAPE.search(raw):
        try:
            json.dumps(doc, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise InputError("contains an unpaired UTF-16 surrogate escape") from None
    return doc


def _depth(doc: Any) -> int:
    deepest = 0
    todo = [(doc, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level)
        todo.extend((sub, level + 1) for sub in item)
    return deepest
