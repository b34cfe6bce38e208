"""Differential, over time: heads and bodies split at every byte, half-closes, answers held by chaos with hand-offs
behind them, TLS, thousands pipelined in one write, a client that does not read its answers."""
from __future__ import annotations

import asyncio
import gc
import socket
import ssl
from dataclasses import replace
from typing import Any, Awaitable, Callable

import pytest
from aiohttp import web

from simulator import tls
from simulator.app import create_app
from simulator.client import SimControl
from simulator.clock import Clock
from simulator.config import Settings
from simulator.front import Site
from simulator.front.connection import Connection
from simulator.platform import Platform
from simulator.pytest_plugin import START
from tests.front.differ import Transcript, raw_len, show, small_buffer_socket, statuses, transcript
from tests.front.test_differential import req
from tests.front.wire import _DATE, BOUND, HEALTH, port_of

A = req(signed=False)  # 400 1023006
B = req(signed=False, head="Authorization: x\r\n")  # 400 1023007: another answer, to see the order
SLOW = "name: slow\noutcomes: [{outcome: answered}]\nchaos:\n  api:\n    latency: 5s\n"


def _pipeline() -> bytes:
    return A + B + HEALTH + A + B


async def test_a_pipeline_split_at_every_byte_is_answered_as_aiohttp_answers_it_whole(make_sim, plain):
    sim, other = await make_sim(), await plain()
    data = _pipeline()
    ref = await transcript(other.port, [data])
    assert statuses(ref) == [400, 400, 200, 400, 400]
    bad = []
    for i in range(1, len(data)):
        got = await transcript(port_of(sim), [data[:i], data[i:]], want=raw_len(ref), quiet=1.0)
        if got.sent != ref.sent:
            bad.append((i, data[:i][-10:], got))
    assert not bad, bad[:3]


@pytest.mark.parametrize("cut", ["\r", "\r\n", "\r\n\r"])
async def test_a_head_cut_inside_its_blank_line_then_a_hand_off(make_sim, plain, cut):
    sim, other = await make_sim(), await plain()
    head_end = A.index(b"\r\n\r\n") + len(cut)
    chunks = [A[:head_end], A[head_end:] + HEALTH]
    ref = await transcript(other.port, chunks)
    got = await transcript(port_of(sim), chunks)
    assert got == ref, show(got, ref)


HALF_CLOSES = {  # what is sent before the half-close; the statuses the front answers before closing
    "lean": (lambda: [A], [400]),
    "lean lean": (lambda: [A + B], [400, 400]),
    "lean then hand-off": (lambda: [A + HEALTH], [400]),
    "hand-off then lean": (lambda: [HEALTH + A], []),
    "half a head": (lambda: [A[:40]], []),
    "half a body": (lambda: [A[:-5]], []),
    "lean, then half a head": (lambda: [A + B[:40]], [400]),
    "lean, then half a body": (lambda: [A + B[:-5]], [400]),
    "lean in two writes": (lambda: [A[:50], A[50:]], [400]),
}


@pytest.mark.parametrize("name", list(HALF_CLOSES))
async def test_a_client_half_closing_after_its_requests(make_sim, plain, name):
    """Where the front differs on purpose (docs/fidelity.md): aiohttp alone answers nothing once the client has
    half-closed (it closes on the end of input before its handlers write); the front answers each whole request
    it read first, then closes. A connection already handed to aiohttp behaves as aiohttp does."""
    sim, other = await make_sim(), await plain()
    chunks, expected = HALF_CLOSES[name]
    ref = await transcript(other.port, chunks(), shut=True)
    got = await transcript(port_of(sim), chunks(), shut=True)
    assert ref == Transcript(b"", True)
    assert statuses(got) == expected and got.closed, got


async def _both_slow(sim: Any, other: Any) -> None:
    await sim.scenario(yaml=SLOW)
    control = SimControl(f"http://127.0.0.1:{other.port}")
    try:
        assert (await control.request("POST", "scenarios", {"yaml": SLOW})).status == 200
    finally:
        await control.close()


async def _on_the_clock(advance: Callable[[float], Awaitable[None]], port: int, chunks: list[bytes], *,
                        shut: bool = False, steps: int = 4) -> Transcript:
    """Send ``chunks`` (a loop turn or two apart), then move the clocks 5 s at a time, reading all along."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    got = b""
    closed = False
    try:
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(0.05)
        if shut:
            writer.write_eof()
        for _ in range(steps):
            await asyncio.sleep(0.1)
            await advance(5)
            while True:
                try:
                    chunk = await asyncio.wait_for(reader.read(1 << 16), 0.3)
                except TimeoutError:
                    break
                except ConnectionError:
                    chunk = b""
                if not chunk:
                    closed = True
                    break
                got += chunk
            if closed:
                break
    finally:
        writer.close()
    return Transcript(_DATE.sub(b"", got), closed)


CHAOS = {
    "held, hand-off, lean in one write": (lambda: [req() + HEALTH + req()], False),
    "held, then a hand-off in a later write": (lambda: [req(), HEALTH, req()], False),
    "held, then half a GET head": (lambda: [req(), HEALTH[:20]], False),
    "held, refused, held": (lambda: [req() + A + req()], False),
    "held, then the client half-closes": (lambda: [req()], True),
    "held, hand-off, then the client half-closes": (lambda: [req() + HEALTH], True),
}


@pytest.mark.parametrize("name", list(CHAOS))
async def test_answers_held_by_chaos_with_more_behind_them(make_sim, plain, name):
    sim, other = await make_sim(), await plain()
    await _both_slow(sim, other)
    make, shut = CHAOS[name]
    chunks = make()
    ref = await _on_the_clock(other.platform.clock.advance, other.port, chunks, shut=shut)
    got = await _on_the_clock(sim.advance, port_of(sim), chunks, shut=shut)
    assert got == ref, show(got, ref)


@pytest.mark.parametrize("hand_off_at", [None, 1000], ids=["all lean", "a GET halfway"])
async def test_two_thousand_requests_in_one_write_all_answered_in_order(make_sim, plain, hand_off_at):
    sim, other = await make_sim(), await plain()
    data = b"".join(HEALTH if i == hand_off_at else B if i % 3 == 0 else A for i in range(2000))
    ref = await transcript(other.port, [data], quiet=1.5)
    got = await transcript(port_of(sim), [data], quiet=1.5)
    assert len(statuses(ref)) == 2000
    assert got == ref, (len(statuses(got)), len(statuses(ref)))


async def test_a_client_not_reading_for_longer_than_keepalive_still_gets_every_answer(make_sim, plain):
    """aiohttp does not time a connection out while an answer waits for the client to read it."""
    sim, other = await make_sim(keepalive_timeout=0.5), await plain(keepalive_timeout=0.5)
    data = b"".join(B if i % 3 == 0 else A for i in range(5_000))  # far more answers than the buffers hold
    counts = {}
    for name, port in (("aiohttp", other.port), ("front", port_of(sim))):
        sock = small_buffer_socket(port)
        loop = asyncio.get_running_loop()
        await asyncio.sleep(0.05)
        _small_server_send_buffer(sock)  # so that the answers back up into the server's transport
        sending = asyncio.ensure_future(loop.sock_sendall(sock, data))
        await asyncio.sleep(2.0)  # not reading: four keep-alive timeouts
        chunks = []
        while True:
            try:
                chunk = await asyncio.wait_for(loop.sock_recv(sock, 1 << 16), 1.0)
            except (TimeoutError, ConnectionError):
                break
            if not chunk:
                break
            chunks.append(chunk)
        sending.cancel()
        sock.close()
        counts[name] = len(statuses(Transcript(b"".join(chunks), False)))
    assert counts["front"] == counts["aiohttp"], counts


def _small_server_send_buffer(client: socket.socket) -> None:
    """The server's end of ``client``'s connection (same process) gets a small send buffer."""
    ends = [o for o in gc.get_objects() if isinstance(o, socket.socket) and o.fileno() >= 0 and o is not client
            and _peer(o) == client.getsockname()]
    assert len(ends) == 1, ends
    ends[0].setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)


def _peer(sock: socket.socket) -> Any:
    try:
        return sock.getpeername()
    except OSError:
        return None


async def test_a_client_that_never_reads_holds_a_bounded_buffer_on_the_lean_path(clock):
    settings = Settings(manual_clock=True)
    runner = web.AppRunner(create_app(platform=Platform(settings, clock)), access_log=None)
    await runner.setup()
    site = Site(runner, "127.0.0.1", 0)
    await site.start()
    sock = small_buffer_socket(site.port)
    loop = asyncio.get_running_loop()
    sending = asyncio.ensure_future(loop.sock_sendall(sock, b"".join(A for _ in range(100_000))))  # 20 MB
    try:
        await asyncio.sleep(2.0)
        (conn,) = [o for o in gc.get_objects() if isinstance(o, Connection) and o._open]
        assert conn._transport is not None
        held = len(conn._buf) - conn._pos, conn._transport.get_write_buffer_size()
        assert held[0] <= settings.max_body + 8190 + 256 * 1024 and held[1] <= 256 * 1024, held
    finally:
        sending.cancel()
        sock.close()
        await runner.cleanup()


async def test_over_tls_a_split_pipeline_with_a_hand_off_is_answered_as_by_aiohttp(tmp_path, clock, aiohttp_server):
    ca = tls.self_signed(tls.cert_names("127.0.0.1"), str(tmp_path))
    assert ca.ca_file is not None
    client_ctx = ssl.create_default_context(cafile=str(ca.ca_file))
    settings = replace(Settings(manual_clock=True, push_timeout=2.0))
    runner = web.AppRunner(create_app(platform=Platform(settings, clock)), access_log=None)
    await runner.setup()
    site = Site(runner, "127.0.0.1", 0, ssl_context=ca.context)
    await site.start()
    other = await aiohttp_server(create_app(platform=Platform(settings, clock)), host="127.0.0.1", ssl=ca.context)
    try:
        data = _pipeline()
        ref = await transcript(other.port, [data], ssl_context=client_ctx)
        assert statuses(ref) == [400, 400, 200, 400, 400]
        for i in range(1, len(data), 7):
            got = await transcript(site.port, [data[:i], data[i:]], want=raw_len(ref), quiet=1.0,
                                   ssl_context=client_ctx)
            assert got.sent == ref.sent, (i, show(got, ref))
    finally:
        await runner.cleanup()


async def _held_answer_across_a_stop(site_class: Any) -> Transcript:
    clock = Clock(manual=True, start=START)
    runner = web.AppRunner(create_app(platform=Platform(Settings(manual_clock=True), clock)), access_log=None)
    await runner.setup()
    site = site_class(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    control = SimControl(f"http://127.0.0.1:{port}")
    assert (await control.request("POST", "scenarios", {"yaml": SLOW})).status == 200
    await control.close()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(req() + A)  # held 5 s; the second is never answered (the server stops)
        for _ in range(100):
            if clock.pending:
                break
            await asyncio.sleep(0.01)
        stopping = asyncio.ensure_future(runner.cleanup())
        await asyncio.sleep(0.2)
        await clock.advance(5)
        sent = await asyncio.wait_for(reader.read(), 5.0)
        await asyncio.wait_for(stopping, 5.0)
        return Transcript(_DATE.sub(b"", sent), True)
    finally:
        writer.close()


async def test_an_answer_held_while_the_site_stops_is_written_as_aiohttp_writes_it():
    ref = await _held_answer_across_a_stop(web.TCPSite)
    got = await _held_answer_across_a_stop(Site)
    assert got == ref, show(got, ref)


async def _close_after_answer(port: int, then: bytes, wait: float) -> float:
    """Seconds from a lean answer until the server closes, when ``then`` is sent ``wait`` s after it."""
    loop = asyncio.get_running_loop()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(A)
        await reader.readuntil(b"}")
        answered = loop.time()
        await asyncio.sleep(wait)
        writer.write(then)
        await asyncio.wait_for(reader.read(), BOUND)
        return loop.time() - answered
    finally:
        writer.close()


@pytest.mark.parametrize("then", [HEALTH[:20], req(version="HTTP/1.0")[:30]], ids=["GET", "HTTP/1.0"])
async def test_keepalive_runs_from_the_last_answer_across_a_hand_off(make_sim, plain, then):
    sim, other = await make_sim(keepalive_timeout=1.0), await plain(keepalive_timeout=1.0)
    """A connection handed to aiohttp starts aiohttp's keep-alive afresh (docs/fidelity.md): idle at most twice
    the timeout, once; on the lean path (HTTP/1.0 here is still a head that may become lean) it runs from the
    last answer."""
    ref = await _close_after_answer(other.port, then, 0.7)
    got = await _close_after_answer(port_of(sim), then, 0.7)
    assert ref < 1.4 and got < 2.4, (got, ref)


async def _accepted(port: int, data: bytes, seconds: float) -> int:
    """Bytes of ``data`` a server takes in ``seconds`` from a client that never reads its answers."""
    loop = asyncio.get_running_loop()
    sock = small_buffer_socket(port)
    await asyncio.sleep(0.05)
    _small_server_send_buffer(sock)
    sent = 0

    async def send() -> None:
        nonlocal sent
        while sent < len(data):
            await loop.sock_sendall(sock, data[sent:sent + 4096])
            sent += 4096

    sending = asyncio.ensure_future(send())
    await asyncio.sleep(seconds)
    sending.cancel()
    sock.close()
    return sent


async def test_a_handed_off_pipeline_keeps_aiohttps_flow_control(make_sim, plain):
    """aiohttp stops reading once 32 requests wait; the hand-off must not undo that pause."""
    sim, other = await make_sim(), await plain()
    data = A + b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n" * 1_000_000  # 29 MB: a 404 each
    ref = await _accepted(other.port, data, 3.0)
    got = await _accepted(port_of(sim), data, 3.0)
    assert got < 4 * ref + (8 << 20), (got, ref)
