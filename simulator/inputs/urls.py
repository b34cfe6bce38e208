"""Push URLs: only what the push client can really send to, checked when it is given, not when it fails."""
from __future__ import annotations

import re

from yarl import URL

from .errors import InputError

MAX_URL = 2048
# Control characters (CR, LF: header injection) are never sent; a space can only be in the path or
# query, which the push client sends percent-encoded, as aiohttp and browsers do.
_UNSENDABLE = re.compile(r"[\x00-\x1f\x7f]|^[^/]*//[^/?#]*\x20")


def push_url(text: str) -> str:
    """``text``, if it is an absolute http(s) URL with a host and a valid port; else InputError."""
    if len(text) > MAX_URL:
        raise InputError(f"is longer than {MAX_URL} characters")
    if _UNSENDABLE.search(text):
        raise InputError("contains spaces or control characters")
    try:
        url = URL(text)
        host, port = url.raw_host, url.port  # IDNA-encodes the host; a bad one raises here, not at push time
    except (ValueError, TypeError, UnicodeError):
        raise InputError("does not parse as a URL") from None
    if url.scheme not in ("http", "https") or not host:
        raise InputError("is not an http or https URL with a host")
    if port is not None and not 0 < port < 65536:
        raise InputError(f"has port {port}, out of range 1-65535")
    return text
