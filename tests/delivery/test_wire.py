"""The push client against SPs that answer in every way HTTP allows, and some it does not.

Each SP here is a raw TCP server writing scripted bytes after each request it reads, so the
answers can be chunked, end with the connection, come after a 100 Continue, or be garbage.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from simulator.client import b64

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


class RawSp:
    """Reads each request (headers and Content-Length body) and writes the next scripted answer."""

    def __init__(self, *answers: bytes, close_after: bool = False) -> None:
        self.answers = list(answers)
        self.close_after = close_after
        self.connections = 0
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None
        self.url = ""

    async def start(self) -> None:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length:"))
                    self.requests.append(head + await reader.readexactly(length))
                    writer.write(self.answers.pop(0) if self.answers else OK)
                    await writer.drain()
                    if self.close_after:
                        break
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            writer.close()

        self.server = await asyncio.start_server(serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/status"


@pytest.fixture
async def raw() -> AsyncIterator[type[RawSp]]:
    started: list[RawSp] = []

    class Started(RawSp):
        def __init__(self, *answers: bytes, close_after: bool = False) -> None:
            super().__init__(*answers, close_after=close_after)
            started.append(self)

    yield Started
    for sp in started:
        if sp.server is not None:
            sp.server.close()


async def _push_to(sim, sp: RawSp, calls: int = 1) -> list:
    await sp.start()
    for i in range(calls):
        reply = await sim.client.call_verify(**sim.verify_request(calleeNbr=f"+86138000000{i:02d}",
                                                                  statusUrl=b64(sp.url), feeUrl=None))
        assert reply["resultcode"] == "0", reply.body
        await sim.advance(0)
    return [p for p in sim.platform.delivery.pushes if p.url == sp.url]


@pytest.mark.parametrize("answer, close", [
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", False),
    (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", False),
    (b"HTTP/1.0 200 OK\r\n\r\nthe end of the connection ends the answer", True),
], ids=["chunked", "100-continue", "close-delimited"])
async def test_any_well_formed_200_is_a_delivered_push(sim, raw, answer, close):
    sp = raw(answer, close_after=close)
    (push,) = await _push_to(sim, sp)
    assert push.state == "delivered" and push.attempts[0].status == 200


async def test_a_broken_answer_fails_the_push_with_the_reason(sim, raw):
    sp = raw(b"SMTP ready\r\n\r\n")
    (push,) = await _push_to(sim, sp)
    assert push.state == "failed" and push.attempts[0].status is None
    assert "not HTTP" in push.attempts[0].error


async def test_pushes_reuse_one_connection_unless_the_sp_closes_it(sim, raw):
    keeps = raw()
    assert [p.state for p in await _push_to(sim, keeps, calls=3)] == ["delivered"] * 3
    assert keeps.connections == 1 and len(keeps.requests) == 3
    closes = raw(close_after=True)
    assert [p.state for p in await _push_to(sim, closes, calls=3)] == ["delivered"] * 3
    assert closes.connections == 3


async def test_the_request_on_the_wire(sim, raw):
    sp = raw()
    await _push_to(sim, sp)
    head, _, body = sp.requests[0].partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    port = sp.url.split(":")[2].split("/")[0]
    assert lines[0] == "POST /status HTTP/1.1"
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert headers["Host"] == f"127.0.0.1:{port}"
    assert headers["Content-Type"] == "application/json;charset=UTF-8"
    assert headers["Authorization"].startswith("AKSK ") and headers["X-AKSK"].startswith("UsernameToken ")
    assert int(headers["Content-Length"]) == len(body) and body.startswith(b'{"eventType":"callout"')


async def test_a_url_with_spaces_or_non_ascii_is_sent_percent_encoded(sim, raw):
    sp = raw()
    await sp.start()
    url = sp.url.replace("/status", "/st atus/é?q=ü")
    reply = await sim.client.call_verify(**sim.verify_request(statusUrl=b64(url), feeUrl=None))
    assert reply["resultcode"] == "0"
    await sim.advance(0)
    assert sp.requests[0].startswith(b"POST /st%20atus/%C3%A9?q=%C3%BC HTTP/1.1\r\n")
    (push,) = [p for p in sim.platform.delivery.pushes if p.url == url]
    assert push.state == "delivered"


async def test_an_answer_with_endless_headers_fails_the_push_without_holding_them(sim, raw):
    sp = raw(b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * (200 * 1024) + b"\r\nContent-Length: 2\r\n\r\nok")
    (push,) = await _push_to(sim, sp)
    assert push.state == "failed" and push.attempts[0].status is None
    assert "headers are longer than 65536 bytes" in push.attempts[0].error


def test_an_international_host_goes_on_the_wire_as_the_url_check_read_it():
    from yarl import URL

    from simulator.delivery.wire import target
    where = target("http://straße.de/status")
    assert where is not None and where.host == URL("http://straße.de/").raw_host == "xn--strae-oqa.de"


def test_a_header_with_a_line_break_is_never_sent():
    from simulator.delivery.wire import PushError, request_head, target
    where = target("http://127.0.0.1:9/status")
    assert where is not None
    with pytest.raises(PushError, match="line break"):
        request_head(where, {"X-AKSK": 'UsernameToken Username="a\r\nX-Evil: 1"'}, 2)
