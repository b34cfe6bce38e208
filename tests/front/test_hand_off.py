"""What the lean path leaves to aiohttp, on real sockets: each request is handed over with its bytes and answered
as a simulator served by aiohttp alone answers it, and the lean path's timeouts close a connection that holds back
its request."""
from __future__ import annotations

import asyncio
import gzip
import json
from typing import Callable

import pytest

from simulator.api import paths
from tests.front.wire import STOP, VERIFY, closed, exchange, front_counts, port_of, post, signature, status


def _chunked() -> bytes:
    raw = json.dumps(VERIFY).encode()
    return (f"POST {paths.VERIFY} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{signature()}"
            f"Transfer-Encoding: chunked\r\n\r\na\r\n").encode() + raw[:10] \
        + f"\r\n{len(raw) - 10:x}\r\n".encode() + raw[10:] + b"\r\n0\r\n\r\n"


HAND_OFFS: dict[str, tuple[Callable[[], bytes], int]] = {  # what is sent, the status aiohttp answers it with
    "chunked": (_chunked, 200),
    "body over max_body": (lambda: post(paths.VERIFY, dict(VERIFY, pad="x" * 2000)), 413),
    "header line over 8190 bytes": (lambda: post(paths.VERIFY, VERIFY, head=f"X-Pad: {'a' * 9000}\r\n"), 400),
    "head over 8190 bytes in short lines": (
        lambda: post(paths.VERIFY, VERIFY, head="".join(f"X-Pad-{i}: {'a' * 200}\r\n" for i in range(45))), 200),
    "bare LF": (lambda: post(paths.VERIFY, VERIFY).replace(b"\r\n", b"\n"), 400),
    "HTTP/1.0": (lambda: post(paths.VERIFY, VERIFY).replace(b"HTTP/1.1", b"HTTP/1.0", 1), 200),
    "garbage": (lambda: b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not HTTP at all\r\n\r\n", 400),
}


@pytest.mark.parametrize("name", list(HAND_OFFS))
async def test_requests_the_lean_path_leaves_are_answered_as_aiohttp_answers_them(make_sim, plain, name):
    make, expected = HAND_OFFS[name]
    sim, other = await make_sim(max_body=1024), await plain(max_body=1024)
    before = await front_counts(port_of(sim))
    data = make()
    lean = await exchange(port_of(sim), data, 1)
    assert lean == await exchange(other.port, data, 1)
    assert [status(a) for a in lean] == [expected]
    if expected == 413:
        assert b'"resultcode": "1010002"' in lean[0]
    # the next client is answered at once, on the lean path
    assert [status(a) for a in await exchange(port_of(sim), post(paths.STOP, STOP), 1)] == [400]
    assert await front_counts(port_of(sim)) == (before[0] + 1, before[1] + 2)


SAME_AS_AIOHTTP: dict[str, Callable[[], bytes]] = {  # heads aiohttp reads its own way
    "two Host headers": lambda: post(paths.VERIFY, VERIFY, head="Host: elsewhere.example\r\n"),
    "two Content-Type headers": lambda: post(paths.VERIFY, VERIFY, head="Content-Type: text/plain\r\n"),
    "a gzip-encoded body": lambda: post(paths.VERIFY, gzip.compress(json.dumps(VERIFY).encode()),
                                        head="Content-Encoding: gzip\r\n"),
}


@pytest.mark.parametrize("name", list(SAME_AS_AIOHTTP))
async def test_heads_aiohttp_reads_its_own_way_get_aiohttps_answer(make_sim, plain, name):
    sim, other = await make_sim(), await plain()
    data = SAME_AS_AIOHTTP[name]()
    assert await exchange(port_of(sim), data, 1) == await exchange(other.port, data, 1)


TIMEOUTS: dict[str, tuple[Callable[[], bytes], float, float]] = {  # sent, then nothing; keep-alive, body timeout
    "nothing": (lambda: b"", 0.3, 60.0),
    "half a head": (lambda: post(paths.VERIFY, VERIFY)[:60], 0.3, 60.0),
    "half a body": (lambda: post(paths.VERIFY, VERIFY)[:-20], 60.0, 0.3),
    "a request, answered": (lambda: post(paths.STOP, STOP), 0.3, 60.0),
}


@pytest.mark.parametrize("name", list(TIMEOUTS))
async def test_a_connection_holding_back_its_request_is_closed_after_its_timeout(make_sim, name):
    make, keepalive, body_timeout = TIMEOUTS[name]
    sim = await make_sim(keepalive_timeout=keepalive, body_timeout=body_timeout)
    reader, writer = await asyncio.open_connection("127.0.0.1", port_of(sim))
    try:
        writer.write(make())
        assert await closed(reader), f"{name}: still open after 5 s"
        assert [status(a) for a in await exchange(port_of(sim), post(paths.STOP, STOP), 1)] == [400]
    finally:
        writer.close()
