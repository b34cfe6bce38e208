"""Requests aiohttp refuses before any route sees them get JSON in our shapes, not aiohttp's plain text."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.helpers import assert_unharmed, call_before

UNREADABLE = [
    ("header over 8 KB", b"GET /_sim/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n",
     "Got more than 8190 bytes"),
    ("X-AKSK over 8 KB", b"POST /rest/httpsessions/callVerify/v1.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-AKSK: "
     + b"a" * 9000 + b"\r\n\r\n", "Got more than 8190 bytes"),
    ("request line over 8 KB", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
     "Got more than 8190 bytes"),
    ("not HTTP", b"GARBAGE\r\n\r\n", "Invalid method"),
    ("bad HTTP version", b"GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n", "Bad status line"),
    ("too many headers", b"GET /_sim/health HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(200))
     + b"\r\n", "Too many headers"),
    ("NUL in a header", b"GET /_sim/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\x00b\r\n\r\n", "header value char"),
    ("broken chunk", b"POST /_sim/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
     "chunk size"),
]


async def _exchange(sim: Any, raw: bytes) -> tuple[bytes, dict[str, str], bytes]:
    url = urlsplit(sim.base_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(raw)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    return status_line.encode(), headers, body


@pytest.mark.parametrize("name,raw,words", UNREADABLE, ids=[u[0] for u in UNREADABLE])
async def test_an_unreadable_request_gets_the_platforms_json_answer(sim, name, raw, words, caplog):
    before = await call_before(sim)
    with caplog.at_level(logging.DEBUG):
        status_line, headers, body = await _exchange(sim, raw)
    # a client's bad bytes are one quiet line in the server's log, never an error with a traceback
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info], caplog.text
    assert status_line.split()[1] == b"400"
    assert headers["content-type"].startswith("application/json")
    doc = json.loads(body)
    assert doc["resultcode"] == "1010002"
    assert doc["resultdesc"].startswith("Invalid request.HTTP request could not be read: ")
    assert words in doc["resultdesc"] and "aaaaaaaa" not in doc["resultdesc"]  # no echo of the offending bytes
    await assert_unharmed(sim, before)


async def test_other_aiohttp_servers_in_the_process_keep_their_own_answers(sim, receiver):
    # the SP receiver is a plain aiohttp app in this same process: its error pages stay aiohttp's
    status_line, headers, _ = await _exchange(receiver, b"GARBAGE\r\n\r\n")
    assert status_line.split()[1] == b"400" and headers["content-type"].startswith("text/plain")
