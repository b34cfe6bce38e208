"""Differential helpers: the same bytes to a simulator behind the front and to one served by aiohttp alone, and
what each server did with them (the bytes it sent, the Date left out, and whether it closed the connection)."""
from __future__ import annotations

import asyncio
import re
import socket
import ssl
from dataclasses import dataclass

from tests.front.wire import _DATE, BOUND

QUIET = 0.4  # real seconds without a byte from the server: it has said all it will say for now


@dataclass(slots=True, frozen=True)
class Transcript:
    """What a server sent on one connection (Dates left out) and whether it ended the connection."""

    sent: bytes
    closed: bool


async def _drain(reader: asyncio.StreamReader, quiet: float, want: int | None) -> tuple[bytes, bool]:
    """Read until the server closes, is quiet for ``quiet`` s, or (``want``) that many bytes came."""
    got = b""
    loop = asyncio.get_running_loop()
    end = loop.time() + BOUND
    while loop.time() < end:
        try:
            chunk = await asyncio.wait_for(reader.read(1 << 16), quiet)
        except TimeoutError:
            return got, False
        except ConnectionError:
            return got, True
        if not chunk:
            return got, True
        got += chunk
        if want is not None and len(got) >= want:
            return got, False  # all that was wanted (whether a close follows is not looked at)
    return got, False


async def transcript(port: int, chunks: list[bytes], *, shut: bool = False, quiet: float = QUIET,
                     want: int | None = None, ssl_context: ssl.SSLContext | None = None,
                     turns: int = 3) -> Transcript:
    """Send ``chunks`` (each read by the server alone: a few loop turns between them), optionally half-close,
    then read what the server says."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ssl_context)
    try:
        for i, chunk in enumerate(chunks):
            writer.write(chunk)
            await writer.drain()
            if i < len(chunks) - 1:
                for _ in range(turns):
                    await asyncio.sleep(0)
                await asyncio.sleep(0.002)
        if shut:
            writer.write_eof()
        sent, closed = await _drain(reader, quiet, want)
        return Transcript(_DATE.sub(b"", sent), closed)
    finally:
        writer.close()


def raw_len(t: Transcript) -> int:
    """How many bytes the server sent, with its Dates (each is 29 characters and a header name)."""
    return len(t.sent) + t.sent.count(b"\r\nContent-Length: ") * len(b"\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT")


def statuses(t: Transcript) -> list[int]:
    """The status of each answer in a transcript."""
    return [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) [^\r\n]*\r\n", t.sent)]


def small_buffer_socket(port: int, rcvbuf: int = 4096) -> socket.socket:
    """A connected blocking socket with a small receive buffer (a client that reads slowly fills it at once)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    return sock


def show(front: Transcript, alone: Transcript) -> str:
    """Both transcripts, for an assertion's message."""
    return f"\nfront  : closed={front.closed} {front.sent!r}\naiohttp: closed={alone.closed} {alone.sent!r}"
