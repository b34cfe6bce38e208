"""One client connection on the lean path, until it asks for something only aiohttp serves.

aiohttp's server costs about 120 us of CPU a request on the development VM before any handler
runs, more than the platform API's own work; a keep-alive protocol that frames requests itself
costs a fraction of that. So the listening socket speaks this protocol first. It serves, here,
only the plainest kind of request: ``POST`` to a lean path, HTTP/1.1, kept alive, a ``Host``, a
``Content-Length`` within the body limit, no ``Transfer-Encoding``/``Expect``/``Upgrade``/
``Content-Encoding``, no header name twice, a head within aiohttp's limits written in a strict
subset of HTTP/1.1 (``_HEAD``: RFC 9110 token names, visible-ASCII values without trailing spaces,
CRLF line ends) so that nothing aiohttp would refuse or read otherwise is served here. At the
first byte that is anything else (a ``GET``, the control API, a malformed or oversized head, a
chunked body) the connection is handed, with every byte of that request, to aiohttp's own handler
(llhttp), which answers it and everything after it exactly as it always did.
What is served here is answered byte for byte as aiohttp would (but the ``Date``), in order, with
its timeouts: ``keepalive_timeout`` from the connection's start or its last answer until a head
has arrived, ``body_timeout`` from the head until the body has.
"""
from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Any, cast

from multidict import CIMultiDict

from .lean import LeanApi, LeanRoute
from .message import Answer, Request, encode

log = logging.getLogger("aiohttp.server")  # where aiohttp logs a handler's failure: the same place
_HEAD_LIMIT = 8190  # aiohttp's line and field limit; any longer head is aiohttp's to judge
_MAX_HEADERS = 64  # aiohttp allows 128: more than this is unusual enough to leave to it
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_BTOKEN = _TOKEN.encode()
# A head not yet complete that may still become one served here: the request line so far, or the line and
# whole fields, then a field so far.


def _any_start(literal: bytes, then: bytes = b"") -> bytes:
    """A pattern of any beginning of ``literal``, and of all of it followed by a beginning of ``then``."""
    pattern = then
    for byte in reversed(literal):
        pattern = re.escape(bytes([byte])) + b"(?:" + pattern + b")?"
    return pattern


_LINE_SO_FAR = re.compile(_any_start(b"POST /", rb"[!-~]*(?:" + _any_start(b" HTTP/1.1\r") + b")?"))
_FIELDS_SO_FAR = re.compile(rb"POST /[!-~]* HTTP/1\.1\r\n(?:" + _BTOKEN + rb":[ -~]*\r\n)*(?:" + _BTOKEN
                            + rb"(?::[ -~]*\r?)?|\r)?")
_NAMES = re.compile(rb"^(" + _BTOKEN + rb"):[ ]*([ -~]*)\r$", re.M)  # the whole fields so far
# The whole head, strictly: request line, then fields of a token name and a value of visible ASCII and spaces.
_HEAD = re.compile(r"POST (/[!-~]*) HTTP/1\.1\r\n((?:" + _TOKEN + r":[ -~]*\r\n)*)\r\n")
_OFF = frozenset({"transfer-encoding", "expect", "upgrade", "content-encoding", "sec-websocket-key1",
                  "proxy-connection"})
_FIELD = re.compile(r"(" + _TOKEN + r"):[ ]*([^\r]*)\r\n")  # on a head _HEAD took, with no value ending in a space


class Front:
    """Makes a ``Connection`` of each connection a server accepts (the ``create_server`` factory)."""

    __slots__ = ("routes", "max_body", "keepalive_timeout", "body_timeout", "fault", "stats", "loop",
                 "connections", "aiohttp")

    def __init__(self, api: LeanApi, aiohttp: Callable[[], asyncio.Protocol],
                 loop: asyncio.AbstractEventLoop) -> None:
        # LeanApi's fields, flat: each connection reads them on every request, one attribute away
        self.routes = api.routes
        self.max_body = api.max_body
        self.keepalive_timeout = api.keepalive_timeout
        self.body_timeout = api.body_timeout
        self.fault = api.fault
        self.stats = api.stats
        self.loop = loop
        self.connections: set[Connection] = set()  # those still on the lean path, to close when the site stops
        self.aiohttp = aiohttp  # aiohttp's handler factory (``web.Server``), for connections handed off

    def __call__(self) -> Connection:
        return Connection(self)


class Connection(asyncio.Protocol):
    """A connection served on the lean path (see the module's docstring)."""

    __slots__ = ("_front", "_transport", "_buf", "_pos", "_body_at", "_need", "_request", "_route", "_task",
                 "_closing", "_write_paused", "_reading_paused", "_deadline", "_timer", "_scheme", "_open")

    def __init__(self, front: Front) -> None:
        self._front = front
        self._transport: asyncio.Transport | None = None
        # bytes received and not yet answered, from the start of a request
        self._buf: bytes | bytearray = b""
        self._pos = 0  # where the request being read starts in it (those before are answered)
        self._body_at = 0  # where that request's body starts
        self._need = 0  # where that request ends (head and body); 0 while its head is incomplete
        self._request: Request | None = None
        self._route: LeanRoute | None = None
        self._task: asyncio.Future[Answer] | None = None  # an answer being worked out (then nothing more is read)
        self._closing = False  # the site is stopping: close once that answer is written
        self._write_paused = False
        self._reading_paused = False
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._scheme = "http"
        self._open = True

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, transport)  # uvloop's are not asyncio.Transport subclasses
        self._transport = transport
        if transport.get_extra_info("sslcontext") is not None:
            self._scheme = "https"
        self._front.connections.add(self)
        self._wait(self._front.keepalive_timeout)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._open = False
        self._front.connections.discard(self)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def data_received(self, data: bytes) -> None:
        buf = self._buf
        if self._pos:  # what was answered goes, once a read, rather than once an answer
            buf = buf[self._pos:]
            self._pos = 0
            if self._need:
                self._body_at -= len(self._buf) - len(buf)
                self._need -= len(self._buf) - len(buf)
        if not buf:
            self._buf = data  # the usual case, a whole request in one read: no copy
        elif isinstance(buf, bytearray):
            buf += data  # a request in many reads grows in place, never copied whole again
            self._buf = buf
        else:
            self._buf = bytearray(buf) + data
        if self._task is None and not self._write_paused:
            self._serve()
        elif len(self._buf) > self._front.max_body + _HEAD_LIMIT and self._transport is not None:
            self._reading_paused = True  # a client pipelining faster than it reads its answers
            self._transport.pause_reading()

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        if self._task is None:
            self._wait(self._front.keepalive_timeout)
            self._serve()

    def close(self) -> None:
        """Close the connection now: a request in the middle of being read, or of being answered, is dropped."""
        self._open = False  # nothing more is read from the buffer, answered or handed off
        if self._transport is not None:
            self._transport.close()

    def close_after_answer(self) -> asyncio.Future[Answer] | None:
        """Close the connection (a site stopping): now when no answer is being worked out, else once that
        answer is written; its task is returned to wait for."""
        if self._task is None:
            self.close()
            return None
        self._closing = True
        return self._task

    # the lean path

    def _serve(self) -> None:
        """Answer every whole request in the buffer, until one must wait, or hand the connection off."""
        while self._open and self._task is None and not self._write_paused:
            if not self._need and (self._pos >= len(self._buf) or not self._head()):
                break
            buf, need = self._buf, self._need
            if len(buf) < need:
                break  # the body is on its way: body_timeout, armed by _head, applies
            request, route = self._request, self._route
            assert request is not None and route is not None
            request.body = bytes(buf[self._body_at:need])
            self._pos = need  # many pipelined requests in one read: an index moves, the buffer is not cut
            self._need = 0
            self._request = self._route = None
            self._respond(request, route)
        if self._pos and self._pos >= len(self._buf):
            self._buf, self._pos = b"", 0
        if self._reading_paused and self._open and self._task is None and not self._write_paused:
            self._reading_paused = False  # what was waiting is answered: read on
            if self._transport is not None:
                self._transport.resume_reading()

    def _head(self) -> bool:
        """Read the head of the request at the buffer's start; False while it must wait (or was handed off)."""
        buf, pos = self._buf, self._pos
        end = buf.find(b"\r\n\r\n", pos, pos + _HEAD_LIMIT)
        if end < 0:
            if len(buf) - pos >= _HEAD_LIMIT or not _may_be_lean(buf, pos):
                return self._hand_off()  # aiohttp judges (and refuses) what is wrong before the head ends
            return False  # keepalive_timeout, armed at the last answer, applies
        try:
            head = buf[pos:end + 4].decode("ascii")
        except UnicodeDecodeError:
            return self._hand_off()
        match = _HEAD.fullmatch(head)
        if match is None or " \r\n" in head:  # trailing spaces: rare, and theirs to trim as aiohttp would
            return self._hand_off()
        path, _, query = match.group(1).partition("?")
        route = self._front.routes.get(path)
        fields = _FIELD.findall(match.group(2))
        names = {name.lower() for name, _ in fields}
        # Any name twice (aiohttp refuses some names twice: all go to it, one rule), a body to inflate,
        # framing or a protocol switch of its own: aiohttp's to read.
        if (route is None or len(fields) > _MAX_HEADERS or len(names) != len(fields) or not _OFF.isdisjoint(names)
                or "host" not in names or "content-length" not in names):
            return self._hand_off()
        headers: CIMultiDict[str] = CIMultiDict(fields)
        length = headers["Content-Length"]
        connection = headers.get("Connection")
        if (not length.isdigit() or len(length) > 12 or int(length) > self._front.max_body
                or (connection is not None and connection.lower() != "keep-alive")):
            return self._hand_off()
        self._request = Request("POST", path, query, headers, b"", self._scheme, headers["Host"])
        self._route = route
        self._body_at = end + 4
        self._need = end + 4 + int(length)
        if len(buf) < self._need:
            self._wait(self._front.body_timeout)
        return True

    def _respond(self, request: Request, route: LeanRoute) -> None:
        self._front.stats.lean_answers += 1
        try:
            result = route(request)
        except Exception:
            log.exception("Error handling request")
            self._write(self._front.fault, close=True)
            return
        if isinstance(result, Answer):
            self._write(result)
            return
        self._task = task = asyncio.ensure_future(result)
        task.add_done_callback(self._answered)

    def _answered(self, task: asyncio.Future[Answer]) -> None:
        self._task = None
        if task.cancelled():
            self.close()
            return
        exc = task.exception()
        if exc is not None:
            log.error("Error handling request", exc_info=exc)
            self._write(self._front.fault, close=True)
            return
        self._write(task.result())
        if self._closing:  # the site is stopping: aiohttp, too, writes the answer as it is, then closes
            self.close()
            return
        self._serve()

    def _write(self, answer: Answer, close: bool = False) -> None:
        transport = self._transport
        if not self._open or transport is None:
            return  # the client left while its answer was worked out: nobody to tell
        transport.write(encode(answer, close))
        if close:
            self._open = False
            transport.close()
        else:
            self._wait(self._front.keepalive_timeout)

    # timeouts: one timer a connection, moved lazily (a deadline is a float; the timer re-arms when it fires early)

    def _wait(self, seconds: float) -> None:
        loop = self._front.loop
        self._deadline = deadline = loop.time() + seconds
        timer = self._timer
        if timer is None or timer.when() > deadline:  # a later deadline waits for the timer; an earlier one cannot
            if timer is not None:
                timer.cancel()
            self._timer = loop.call_at(deadline, self._expire)

    def _expire(self) -> None:
        self._timer = None
        # No deadline while an answer is worked out, or waits for a client reading slowly to take it (as aiohttp's
        # handler waits in drain): the answer, or resume_writing, sets the next.
        if not self._open or self._task is not None or self._write_paused:
            return
        loop = self._front.loop
        if loop.time() < self._deadline:
            self._timer = loop.call_at(self._deadline, self._expire)
            return
        self.close()

    def _hand_off(self) -> bool:
        """Give the connection, with the current request's bytes, to aiohttp's handler for good."""
        transport = self._transport
        assert transport is not None
        self._open = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._front.connections.discard(self)
        self._front.stats.handed_off += 1
        handler: Any = self._front.aiohttp()
        transport.set_protocol(handler)
        handler.connection_made(transport)
        data = self._buf[self._pos:]
        self._buf, self._pos = b"", 0
        if self._reading_paused:  # before aiohttp reads: from here on, pausing is its call (its flow control)
            self._reading_paused = False
            transport.resume_reading()
        if data:
            handler.data_received(bytes(data))
        return False


def _may_be_lean(buf: bytes | bytearray, pos: int) -> bool:
    """Whether the incomplete head at ``pos`` may yet be one the lean path serves: so far a plain ``POST``
    line and fields, no name twice, a ``Content-Length`` of digits (llhttp refuses those as they come)."""
    if buf.find(b"\r\n", pos) < 0:
        return _LINE_SO_FAR.fullmatch(buf, pos) is not None
    if _FIELDS_SO_FAR.fullmatch(buf, pos) is None:
        return False
    names = [(name.lower(), value) for name, value in _NAMES.findall(buf, pos)]
    if len({name for name, _ in names}) != len(names):
        return False
    return all(value.strip().isdigit() for name, value in names if name == b"content-length")
