"""The one refusal every reader of untrusted input raises."""
from __future__ import annotations


class InputError(ValueError):
    """Untrusted input refused; the message says what is wrong, written to follow the input's name
    (``"body " + "is nested too deeply"``, ``"callee_pattern: " + "longer than 1000 characters"``)."""
