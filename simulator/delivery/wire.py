"""The push client: HTTP/1.1 POSTs to one SP origin over keep-alive connections, on asyncio protocols.

Not aiohttp's ClientSession: measured on the 2-core bench machine, one aiohttp client POST
costs about 180 us of CPU, this about 20 us (``make bench``, section (b)), and the push path
is most of what a call costs. Answers are parsed by httptools (llhttp, the parser Node.js
uses), so chunked, length-delimited and close-delimited answers, 1xx interim answers and
``Connection: close`` are handled by a well-tried parser, not by code of ours.

Each origin (scheme, host, port) has its own ``Pool``: a dead or slow SP only ever ties up
its own connections. An SP's answer is untrusted: its body is kept up to ``MAX_ANSWER``
bytes, an answer that breaks HTTP fails the attempt, and every attempt has a deadline.
"""
from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlsplit

import httptools
from yarl import URL

MAX_ANSWER = 1024 * 1024  # bytes of an SP's answer kept (its resultcode is in the first few); more is ignored
MAX_HEAD = 64 * 1024  # bytes of an answer's status line and headers: past it the attempt fails (the parser keeps them)
IDLE_SECONDS = 1.5  # an idle connection older than this is closed, not reused: below common servers' keep-alive
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SAFE = "!#$%&'()*+,/:;=?@[]~"  # left as they are in a request target


class PushError(Exception):
    """An attempt that got no complete HTTP answer (refused, reset, broken answer, timeout)."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where one push URL goes: its origin, and the request line's target and Host header."""

    origin: str  # scheme://host:port, the key of a push queue
    scheme: str
    host: str
    port: int
    host_header: str
    path: str  # path and query, as sent on the request line


@lru_cache(maxsize=4096)  # every push of a call, and most calls, go to the same few URLs
def target(url: str) -> Target | None:
    """The target of ``url``, or None if it is no http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if not host.isascii():  # an international domain name goes on the wire as IDNA (UTS 46, as yarl, aiohttp and
        try:  # browsers encode it, and as the push URL check read it)
            host = URL(url).raw_host or ""
        except (ValueError, UnicodeError):
            return None
    port = port or _DEFAULT_PORTS[scheme]
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port == _DEFAULT_PORTS[scheme] else f"{shown}:{port}"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    # Spaces, control and non-ASCII characters are percent-encoded (UTF-8); what is already escaped stays.
    return Target(f"{scheme}://{shown}:{port}", scheme, host, port, host_header, quote(path, safe=_SAFE))


class _Connection(asyncio.Protocol):
    """One keep-alive connection; one request at a time."""

    __slots__ = ("transport", "parser", "waiter", "status", "body", "size", "framed", "closed", "keep", "timer",
                 "idle_since", "head")

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.status = 0
        self.body: list[bytes] = []
        self.size = 0
        self.framed = False  # the answer says where it ends (Content-Length or chunked)
        self.closed = False
        self.keep = True
        self.timer: asyncio.TimerHandle | None = None
        self.idle_since = 0.0
        self.head = 0  # bytes read of the answer before its headers were complete; -1 once they were

    # -- asyncio.Protocol ----------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.waiter is None:  # nothing asked: an SP talking out of turn is not to be trusted further
            self.close()
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(PushError("the SP answered with a protocol upgrade"))
            return
        except httptools.HttpParserError as exc:
            self._fail(PushError(f"the SP's answer is not HTTP: {exc}"))
            return
        if self.head >= 0:  # the headers are not complete yet: all of this was headers, which the parser keeps
            self.head += len(data)
            if self.head > MAX_HEAD:
                self._fail(PushError(f"the SP's answer headers are longer than {MAX_HEAD} bytes"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            if self.status >= 200 and not self.framed:
                self._done()  # an answer whose end is the end of the connection
            else:
                self._fail(PushError("the SP closed the connection before answering"
                                     + (f" ({exc})" if exc else "")))

    # -- httptools callbacks -------------------------------------------------------------------
    def on_message_begin(self) -> None:
        self.head = 0
        self.status = 0
        self.body = []
        self.size = 0
        self.framed = False

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() in (b"content-length", b"transfer-encoding"):
            self.framed = True

    def on_headers_complete(self) -> None:
        self.head = -1
        self.status = self.parser.get_status_code()

    def on_body(self, chunk: bytes) -> None:
        if self.size < MAX_ANSWER:
            self.body.append(chunk[:MAX_ANSWER - self.size])
        self.size += len(chunk)

    def on_message_complete(self) -> None:
        if 100 <= self.status < 200:  # an interim answer; the real one follows
            return
        self.keep = self.parser.should_keep_alive()
        self._done()

    # -- the request -----------------------------------------------------------------------------
    def _done(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result((self.status, b"".join(self.body)))
        else:  # a second answer to one request: the connection cannot be trusted further
            self.close()

    def _fail(self, exc: Exception) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)
        self.close()

    def expire(self, timeout: float) -> None:
        """The deadline passed: fail the attempt and drop the connection."""
        self._fail(TimeoutError(f"timeout after {timeout:g}s"))

    def close(self) -> None:
        """Close at once (the connection cannot be trusted or reused)."""
        self.closed = True
        self.keep = False
        if self.transport is not None:
            self.transport.abort()


class Pool:
    """Keep-alive connections to one origin, opened as needed, reused while the SP keeps them."""

    def __init__(self, target: Target, ssl_context: ssl.SSLContext | None) -> None:
        self.target = target
        self.ssl = ssl_context if target.scheme == "https" else None
        self.idle: list[_Connection] = []

    async def post(self, head: bytes, body: bytes, timeout: float) -> tuple[int, bytes]:
        """POST ``body`` with the request ``head`` (request line and headers); the answer's status and body.

        Raises PushError or TimeoutError; the deadline covers connecting, sending and the answer.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        conn = self._reuse()
        if conn is None:
            conn = await self._connect(timeout, deadline)
        waiter: asyncio.Future[tuple[int, bytes]] = loop.create_future()
        conn.waiter = waiter
        conn.head = 0
        conn.timer = loop.call_at(deadline, conn.expire, timeout)
        try:
            assert conn.transport is not None
            conn.transport.write(head + body)
            answer = await waiter
        except BaseException:  # failed, timed out or cancelled mid-answer: never reuse it, never leak it
            conn.close()
            raise
        finally:
            conn.timer.cancel()
            conn.waiter = None
        if conn.keep and not conn.closed:
            conn.idle_since = loop.time()
            self.idle.append(conn)
        else:
            conn.close()
        self.sweep()
        return answer

    def sweep(self) -> None:
        """Close the connections idle too long to be trusted (reuse takes the newest, so these are first)."""
        idle = self.idle
        stale = asyncio.get_running_loop().time() - IDLE_SECONDS
        while idle and (idle[0].closed or idle[0].idle_since < stale):
            idle.pop(0).close()

    def _reuse(self) -> _Connection | None:
        idle = self.idle
        fresh = asyncio.get_running_loop().time() - IDLE_SECONDS
        while idle:
            conn = idle.pop()
            if not conn.closed and conn.idle_since >= fresh:
                return conn
            conn.close()
        return None

    async def _connect(self, timeout: float, deadline: float) -> _Connection:
        t = self.target
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout_at(deadline):
                _, conn = await loop.create_connection(
                    _Connection, t.host, t.port, ssl=self.ssl, server_hostname=t.host if self.ssl else None)
        except TimeoutError:
            raise TimeoutError(f"timeout after {timeout:g}s") from None
        except ssl.SSLCertVerificationError as exc:
            raise PushError(f"TLS certificate not trusted: {exc.verify_message} ({t.host}:{t.port}); "
                            "trust the SP's CA with --push-ca-file") from None
        except ssl.SSLError as exc:
            raise PushError(f"TLS handshake failed: {exc}") from None
        except (OSError, ValueError, UnicodeError) as exc:
            raise PushError(f"{type(exc).__name__}: {exc}") from None
        return conn

    def close(self) -> None:
        """Close every idle connection."""
        for conn in self.idle:
            conn.close()
        self.idle.clear()


def request_head(t: Target, headers: dict[str, str], length: int) -> bytes:
    """The request line and headers of a POST of ``length`` bytes to ``t``."""
    lines = [f"POST {t.path} HTTP/1.1", f"Host: {t.host_header}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if any("\r" in line or "\n" in line for line in lines):  # never a header of another's making
        raise PushError("not sent: a header would hold a line break")
    lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
