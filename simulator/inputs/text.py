"""Text and numbers that can be kept, pushed and signed: the checks shared by every surface."""
from __future__ import annotations

import math
import re
from typing import Callable

from .errors import InputError

# An app key travels in every push's X-AKSK header, inside quotes: no quote, comma, space or control
# character, nothing a header cannot carry. Real keys are letters and digits.
_APP_KEY = re.compile(r"[A-Za-z0-9._~+/=-]{1,128}")
_GLOBAL_NUMBER = re.compile(r"\+[1-9][0-9]{2,29}")  # +, country code and number: the platform's global format
_TOKEN = re.compile(r"[!-~]{1,256}")  # printable ASCII, no space: what a header or a host name can carry


def storable(text: str) -> str:
    """``text``, if it can be written to the journal and sent on (UTF-8, no NUL); else InputError."""
    if "\0" in text:
        raise InputError("must not contain a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("must not contain an unpaired UTF-16 surrogate") from None
    return text


def bounded_text(limit: int) -> Callable[[str], str]:
    """A check of 1-``limit`` characters of storable text (a secret, a name, a file path)."""
    def check(text: str) -> str:
        if not isinstance(text, str) or not 1 <= len(text) <= limit:
            raise InputError(f"must be text of 1-{limit} characters")
        return storable(text)

    return check


def app_key(text: str) -> str:
    """An app key: 1-128 letters, digits or ``._~+/=-`` (it is sent in the X-AKSK header of pushes)."""
    if not _APP_KEY.fullmatch(text):
        raise InputError("must be 1-128 letters, digits or ._~+/=- (it travels in the X-AKSK header)")
    return text


def global_number(text: str) -> str:
    """A phone number in global format (``+`` then 3-30 digits, no leading 0); else InputError."""
    if not _GLOBAL_NUMBER.fullmatch(text):
        raise InputError("must be in global format: + then country code and number, digits only")
    return text


def token(text: str) -> str:
    """1-256 printable ASCII characters without spaces (a header value, a host name); else InputError."""
    if not _TOKEN.fullmatch(text):
        raise InputError("must be 1-256 printable ASCII characters without spaces")
    return text


def finite(value: object, lo: float, hi: float) -> float:
    """``value`` as a float, if it is a finite number (not a boolean) in ``lo..hi``; else InputError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError("must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError("must be a finite number")
    if not lo <= value <= hi:
        counts = isinstance(lo, int) and isinstance(hi, int) and lo >= 0  # a count reads better as 0-65535
        raise InputError(f"must be {lo}-{hi}" if counts else f"must be between {lo:g} and {hi:g}")
    return float(value)
