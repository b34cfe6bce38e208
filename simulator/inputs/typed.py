"""Values checked against a dataclass field's declared type: what a config file's YAML gives is untyped."""
from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin


def conforms(value: Any, hint: Any) -> bool:
    """Whether ``value`` has the type ``hint`` declares (``int``, ``float``, ``str | None``, ``tuple[str, ...]``,
    ``list[X]``...); an int is a float, a bool is neither."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return any(conforms(value, arg) for arg in get_args(hint))
    if origin in (tuple, list):
        return isinstance(value, origin) and all(conforms(v, get_args(hint)[0]) for v in value)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def describe(hint: Any) -> str:
    """``hint`` in words: ``an integer or null``, ``a list of text``."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(describe(arg) for arg in get_args(hint))
    if origin in (tuple, list):
        return f"a list of {describe(get_args(hint)[0])}"
    names = {float: "a number", int: "an integer", bool: "true or false", str: "text", type(None): "null"}
    return names.get(hint, getattr(hint, "__name__", str(hint)))
