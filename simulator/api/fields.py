"""Field rules shared by the platform's APIs: types, lengths, number formats.

Each reader takes the request body (a dict) and a field name, returns the value
(or the default when the field is optional and absent) and raises the platform's
1010002 answer naming the field when the rule is broken. Real clients are typed:
a String field given as a number is wrong, and so is an Integer given as a string.
"""
from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Literal, overload

from ..errors import invalid
from ..inputs import InputError, global_number, push_url

_DIGITS = re.compile(r"[0-9]+")
_MISSING = object()


@overload
def string(body: dict[str, Any], name: str, lo: int, hi: int, required: Literal[True]) -> str: ...
@overload
def string(body: dict[str, Any], name: str, lo: int, hi: int, required: bool = False) -> str | None: ...
def string(body: dict[str, Any], name: str, lo: int, hi: int, required: bool = False) -> str | None:
    """A String(lo-hi) field."""
    value = body.get(name, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise invalid(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise invalid(f"{name} must be a string")
    if not lo <= len(value) <= hi:
        raise invalid(f"{name} must be {lo}-{hi} characters long")
    return value


@overload
def integer(body: dict[str, Any], name: str, lo: int, hi: int, required: Literal[True]) -> int: ...
@overload
def integer(body: dict[str, Any], name: str, lo: int, hi: int, *, default: int) -> int: ...
@overload
def integer(body: dict[str, Any], name: str, lo: int, hi: int, required: bool = False,
            default: int | None = None) -> int | None: ...
def integer(body: dict[str, Any], name: str, lo: int, hi: int, required: bool = False,
            default: int | None = None) -> int | None:
    """An Integer field in ``lo..hi`` (a JSON number, not a string nor a boolean)."""
    value = body.get(name, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise invalid(f"{name} is required")
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"{name} must be an integer")
    if not lo <= value <= hi:
        raise invalid(f"{name} must be between {lo} and {hi}")
    return value


def flag(body: dict[str, Any], name: str, default: bool = False) -> bool:
    """A String field that is ``"true"`` or ``"false"``."""
    value = body.get(name, _MISSING)
    if value is _MISSING or value is None:
        return default
    if value == "true":
        return True
    if value == "false":
        return False
    raise invalid(f'{name} must be "true" or "false"')


def choice(body: dict[str, Any], name: str, options: tuple[str, ...], default: str | None = None) -> str | None:
    """A String field with one of ``options``."""
    value = body.get(name, _MISSING)
    if value is _MISSING or value is None:
        return default
    if value not in options:
        raise invalid(f"{name} must be one of {', '.join(options)}")
    return value


@overload
def number(body: dict[str, Any], name: str, required: Literal[True]) -> str: ...
@overload
def number(body: dict[str, Any], name: str, required: bool = False) -> str | None: ...
def number(body: dict[str, Any], name: str, required: bool = False) -> str | None:
    """A phone number, String(4-31), in global format: ``+``, country code, number.

    A Chinese fixed-line number drops its area code's leading 0 (``+86755...``,
    not ``+860755...``).
    """
    value = string(body, name, 4, 31, required)
    if value is None:
        return None
    try:
        global_number(value)
    except InputError as exc:
        raise invalid(f"{name} {exc}") from None
    if value.startswith("+860"):
        raise invalid(f"{name} must drop the area code's leading 0 after +86")
    return value


@overload
def digits(body: dict[str, Any], name: str, lo: int, hi: int, required: Literal[True]) -> str: ...
@overload
def digits(body: dict[str, Any], name: str, lo: int, hi: int, required: bool = False) -> str | None: ...
def digits(body: dict[str, Any], name: str, lo: int, hi: int, required: bool = False) -> str | None:
    """A String(lo-hi) of digits 0-9 only."""
    value = string(body, name, lo, hi, required)
    if value is not None and not _DIGITS.fullmatch(value):
        raise invalid(f"{name} must contain digits 0-9 only")
    return value


def base64_url(body: dict[str, Any], name: str) -> str | None:
    """A String(1-128) holding the Base64 of an http(s) URL; returns the decoded URL."""
    value = string(body, name, 1, 128)
    if value is None:
        return None
    try:
        url = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise invalid(f"{name} must be the Base64 encoding of a URL") from None
    try:
        return push_url(url)  # what the push client can send to: a URL that fails to parse is refused now
    except InputError as exc:
        raise invalid(f"{name} must encode an http or https URL: {url[:64]!r} {exc}") from None
