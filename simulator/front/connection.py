"""One client connection on the lean path, until it asks for something only aiohttp serves.

aiohttp's server costs about 120 us of CPU a request on the development VM before any handler
runs, more than the platform API's own work; a keep-alive protocol on httptools (the parser the
push client already uses) costs a fifth of that. So the listening socket speaks this protocol
first. It frames requests itself and serves, here, only the plainest kind: ``POST`` to a lean path,
HTTP/1.1 kept alive, a ``Host``, a ``Content-Length`` within the body limit, no
``Transfer-Encoding``/``Expect``/``Upgrade``, a head within aiohttp's limits that httptools parses.
At the first byte that is anything else (a ``GET``, the control API, a malformed or oversized head,
a chunked body) the connection is handed, with every byte of that request, to aiohttp's own
handler, which answers it and everything after it exactly as it always did. What is served here
is answered byte for byte as aiohttp would (but the ``Date``), in order, with its timeouts:
``keepalive_timeout`` from the connection's start or its last answer until a head has arrived,
``body_timeout`` from the head until the body has.
"""
from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Any

import httptools
from multidict import CIMultiDict

from .lean import LeanApi
from .message import Answer, Request, encode

log = logging.getLogger("aiohttp.server")  # where aiohttp logs a handler's failure: the same place
_HEAD_LIMIT = 8190  # aiohttp's line and field limit; any longer head is aiohttp's to judge
_MAX_HEADERS = 64  # aiohttp allows 128: more than this is unusual enough to leave to it
_START = b"POST /"
_LINE = re.compile(rb"POST (/[!-~]*) HTTP/1\.1")
_HEADS_OFF = frozenset({"transfer-encoding", "expect", "upgrade"})


class Front:
    """Makes a ``Connection`` of each connection a server accepts (the ``create_server`` factory)."""

    __slots__ = ("routes", "raw_paths", "max_body", "keepalive_timeout", "body_timeout", "fault", "stats", "loop",
                 "connections", "aiohttp")

    def __init__(self, api: LeanApi, aiohttp: Callable[[], asyncio.Protocol],
                 loop: asyncio.AbstractEventLoop) -> None:
        self.routes = api.routes
        self.raw_paths = frozenset(path.encode("ascii") for path in api.routes)
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

    __slots__ = ("_front", "_transport", "_buf", "_parser", "_url", "_fields", "_need", "_body_at", "_request", "_busy",
                 "_write_paused", "_deadline", "_timer", "_scheme", "_open")

    def __init__(self, front: Front) -> None:
        self._front = front
        self._transport: asyncio.Transport | None = None
        self._buf = bytearray()
        self._parser = httptools.HttpRequestParser(self)
        self._url = b""
        self._fields: list[tuple[bytes, bytes]] = []
        self._body_at = 0
        self._need = 0  # bytes of the request being read, head and body; 0 while its head is incomplete
        self._request: Request | None = None
        self._busy = False  # an answer is being worked out by a task
        self._write_paused = False
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._scheme = "http"
        self._open = True

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
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
        self._buf += data
        if not self._busy and not self._write_paused:
            self._serve()
        elif len(self._buf) > self._front.max_body + _HEAD_LIMIT and self._transport is not None:
            self._transport.pause_reading()  # a client pipelining faster than its answers are read

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        if not self._busy:
            self._serve()

    # httptools callbacks

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._fields.append((name, value))

    # the lean path

    def close(self) -> None:
        """Close the connection (a site stopping): a request in the middle of being read is dropped."""
        if self._transport is not None:
            self._transport.close()

    def _serve(self) -> None:
        """Answer every whole request in the buffer, until one must wait, or hand the connection off."""
        while self._open and not self._busy and not self._write_paused:
            buf = self._buf
            if not self._need:
                if not buf:
                    return
                if not self._head():
                    return
            if len(buf) < self._need:
                return  # the body is on its way: body_timeout, armed by _head, applies
            need = self._need
            request = self._request
            assert request is not None
            if need > self._body_at:
                request.body = body = bytes(buf[self._body_at:need])
                self._parser.feed_data(body)  # keeps httptools in step for the next request
            del buf[:need]
            self._need = 0
            self._request = None
            self._respond(request)

    def _head(self) -> bool:
        """Read the head of the request at the buffer's start; False while it must wait (or was handed off)."""
        buf = self._buf
        if not buf.startswith(_START[:len(buf)]):
            return self._hand_off()
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            line_end = buf.find(b"\r\n")
            if (len(buf) > _HEAD_LIMIT or buf.count(b"\n") != buf.count(b"\r\n")
                    or (line_end >= 0 and not self._lean_line(bytes(buf[:line_end])))):
                return self._hand_off()
            return False  # keepalive_timeout, armed at the last answer, applies
        head = bytes(buf[:end + 4])
        if len(head) > _HEAD_LIMIT or not self._lean_line(head[:head.find(b"\r\n")]):
            return self._hand_off()
        request = self._parse(head)
        if request is None:
            return self._hand_off()
        self._request = request
        self._body_at = len(head)
        self._need = len(head) + int(request.headers["Content-Length"])
        if len(buf) < self._need:
            self._wait(self._front.body_timeout)
        return True

    def _lean_line(self, line: bytes) -> bool:
        match = _LINE.fullmatch(line)
        return match is not None and match.group(1).partition(b"?")[0] in self._front.raw_paths

    def _parse(self, head: bytes) -> Request | None:
        """The request ``head`` begins, if it is one served here."""
        self._url = b""
        self._fields.clear()
        try:
            self._parser.feed_data(head)
        except httptools.HttpParserError:  # malformed (aiohttp answers it), or an upgrade
            self._parser = httptools.HttpRequestParser(self)
            return None
        fields = self._fields
        if len(fields) > _MAX_HEADERS or not self._parser.should_keep_alive():
            return None
        headers: CIMultiDict[str] = CIMultiDict(
            (name.decode("utf-8", "surrogateescape"), value.decode("utf-8", "surrogateescape"))
            for name, value in fields)
        length = headers.get("Content-Length")
        host = headers.get("Host")
        if (length is None or host is None or not length.isdigit() or int(length) > self._front.max_body
                or any(name.lower() in _HEADS_OFF for name in headers)):
            return None
        path, _, query = self._url.decode("ascii").partition("?")
        return Request("POST", path, query, headers, b"", self._scheme, host)

    def _respond(self, request: Request) -> None:
        self._front.stats.lean_answers += 1
        try:
            result = self._front.routes[request.path](request)
        except Exception:
            log.exception("Error handling request")
            self._write(self._front.fault, close=True)
            return
        if isinstance(result, Answer):
            self._write(result)
            return
        self._busy = True
        task = asyncio.ensure_future(result)
        task.add_done_callback(self._answered)

    def _answered(self, task: asyncio.Future[Answer]) -> None:
        self._busy = False
        if task.cancelled():
            self.close()
            return
        exc = task.exception()
        if exc is not None:
            log.error("Error handling request", exc_info=exc)
            self._write(self._front.fault, close=True)
            return
        self._write(task.result())
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
        self._deadline = loop.time() + seconds
        if self._timer is None:
            self._timer = loop.call_at(self._deadline, self._expire)

    def _expire(self) -> None:
        self._timer = None
        if not self._open:
            return
        if self._busy:  # no deadline while an answer is being worked out; the next answer sets one
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
        data, self._buf = bytes(self._buf), bytearray()
        if data:
            handler.data_received(data)
        transport.resume_reading()
        return False
