"""A request and its answer as the platform API's handlers see them, whichever path served them.

The lean path (``connection.py``) builds a ``Request`` from the bytes it framed and writes an
``Answer`` as aiohttp would have written it, byte for byte but the ``Date``; requests it hands to
aiohttp are made ``Request``s by the API's adapter. So each API is written once.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus

from aiohttp.http import SERVER_SOFTWARE
from multidict import CIMultiDict, CIMultiDictProxy, MultiDictProxy
from yarl import URL

_STATUS_LINES = {status.value: f"HTTP/1.1 {status.value} {status.phrase}\r\n".encode() for status in HTTPStatus}
_SERVER = f"\r\nServer: {SERVER_SOFTWARE}\r\n".encode("latin-1")
_CLOSE = b"Connection: close\r\n"


@dataclass(slots=True)
class Request:
    """What a handler may read of one request: its line, headers and (already read) body.

    ``path`` is decoded, ``query_string`` as sent (percent-encoded); ``body_too_large``: the body was
    over the limit and not read (``body`` is then empty).
    """

    method: str
    path: str
    query_string: str
    headers: CIMultiDict[str] | CIMultiDictProxy[str]
    body: bytes
    scheme: str = "http"
    host: str = ""
    body_too_large: bool = False

    def origin(self) -> str:
        """``scheme://host[:port]`` the client addressed, as aiohttp's ``request.url.origin()``."""
        return str(URL.build(scheme=self.scheme, authority=self.host).origin())

    def query(self) -> MultiDictProxy[str]:
        """The query string's variables, as aiohttp's ``request.query``."""
        return URL.build(query_string=self.query_string, encoded=True).query


@dataclass(slots=True)
class Answer:
    """An answer: status, body (``None``: none at all) and headers (``Content-Length`` is added)."""

    status: int
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


class _Clock:
    """``Date`` as aiohttp writes it, formatted once a second rather than once an answer."""

    __slots__ = ("second", "text")

    def __init__(self) -> None:
        self.second = -1
        self.text = b""

    def date(self) -> bytes:
        now = int(time.time())
        if now != self.second:
            self.second = now
            self.text = formatdate(now, usegmt=True).encode("latin-1")
        return self.text


_DATE = _Clock()


def encode(answer: Answer, close: bool = False) -> bytes:
    """``answer`` on the wire (HTTP/1.1), its headers in aiohttp's order; ``close`` adds ``Connection: close``."""
    body = answer.body or b""
    status = answer.status
    line = _STATUS_LINES.get(status) or f"HTTP/1.1 {status} \r\n".encode()  # aiohttp: no phrase it does not know
    fields = "".join([f"{name}: {value}\r\n" for name, value in answer.headers.items()]).encode("latin-1")
    return b"".join((line, fields, b"Content-Length: %d\r\nDate: " % len(body), _DATE.date(), _SERVER,
                     _CLOSE if close else b"", b"\r\n", body))
