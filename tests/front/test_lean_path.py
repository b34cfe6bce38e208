"""The platform API's plain POSTs on the lean path, on real sockets: answered byte for byte as aiohttp answers them
(but the Date) and counted; in order when pipelined, across a hand-off, or held by chaos or the data dir; a failing
route; TLS; a stopping site."""
from __future__ import annotations

import asyncio
import ssl
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web

from simulator import tls
from simulator.api import paths
from simulator.app import create_app
from simulator.client import SimControl
from simulator.config import Settings
from simulator.front import Site
from simulator.platform import Platform
from simulator.pytest_plugin import START
from tests.front.wire import (
    CLICK,
    HEALTH,
    METRICS,
    NOTIFY,
    STOP,
    TWO_NUMBERS,
    VERIFY,
    answer,
    answers,
    body,
    closed,
    counts,
    exchange,
    front_counts,
    one_by_one,
    port_of,
    post,
    status,
)


def _api_cases() -> list[bytes]:
    """An answer of each kind, from every lean path."""
    return [
        post(paths.VERIFY, dict(VERIFY, returnIdlePort="true")),
        post(paths.VERIFY, VERIFY, signed=False),
        post(paths.VERIFY, b'{"displayNbr": "+86755'),
        post(paths.VERIFY, VERIFY, ctype="text/plain"),
        post(paths.STOP, STOP),
        post(paths.NOTIFY, dict(NOTIFY, calleeNbr="12")),
        post(paths.NOTIFY_V1, NOTIFY),
        post(paths.CALLBACK, CLICK),
    ]


async def test_api_answers_are_aiohttps_bytes_but_the_date_and_are_counted_as_lean(make_sim, plain):
    sim, other = await make_sim(**TWO_NUMBERS), await plain(**TWO_NUMBERS)
    before = await front_counts(port_of(sim))
    cases = _api_cases()
    lean = await one_by_one(port_of(sim), cases)
    assert lean == await one_by_one(other.port, cases)
    assert [status(a) for a in lean] == [200, 400, 403, 403, 400, 403, 200, 200]
    assert body(lean[0])["sessionId"].startswith("1201_1_1_") and "idlePort" in body(lean[0])
    assert [body(a)["resultcode"] for a in lean[1:6]] == ["1023006", "1010002", "1010002", "1020152", "1010002"]
    assert await front_counts(port_of(sim)) == (before[0] + len(cases), before[1] + 1)  # only /_sim/metrics left


def _pipeline() -> bytes:
    """Served, refused, a control request (handed off), an API request after it: in one piece."""
    return post(paths.VERIFY, VERIFY) + post(paths.VERIFY, VERIFY, ctype="text/plain") + HEALTH \
        + post(paths.STOP, STOP)


@pytest.mark.parametrize("one_byte", [False, True], ids=["one write", "a byte a write"])
async def test_pipelined_requests_are_answered_in_order_across_the_hand_off(make_sim, plain, one_byte):
    sim, other = await make_sim(), await plain()
    before = await front_counts(port_of(sim))
    data = _pipeline()
    lean = await exchange(port_of(sim), data, 4, one_byte=one_byte)
    ref = await exchange(other.port, data, 4)
    assert len(lean) == 4, lean
    assert [lean[0], lean[1], lean[3]] == [ref[0], ref[1], ref[3]]
    assert status(lean[0]) == 200 and body(lean[1])["resultcode"] == "1010002"
    assert status(lean[2]) == 200 and body(lean[2])["status"] == "ok"
    assert body(lean[3])["resultcode"] == "1020152"
    assert await front_counts(port_of(sim)) == (before[0] + 2, before[1] + 2)  # the pipeline's hand-off, metrics'


async def _answers_on_the_clock(sim: Any, reader: asyncio.StreamReader, n: int) -> list[tuple[float, bytes]]:
    """``n`` answers read while the simulator's clock moves half a second at a time, each with the simulated
    time it had come by (the real-time waits are only for the sockets)."""
    got: list[tuple[float, bytes]] = []
    reading = asyncio.ensure_future(answer(reader))
    try:
        for _ in range(60):
            await sim.advance(0.5)
            await asyncio.wait({reading}, timeout=0.05)
            while reading.done() and len(got) < n:
                got.append((sim.now(), reading.result()))
                reading = asyncio.ensure_future(answer(reader))
                await asyncio.wait({reading}, timeout=0.05)
            if len(got) == n:
                break
        return got
    finally:
        reading.cancel()


async def test_answers_held_by_api_chaos_come_back_in_order(sim):
    await sim.scenario(yaml="name: slow\noutcomes: [{outcome: answered}]\nchaos:\n  api:\n    latency: 5s\n"
                            "    rate_limit: {requests: 1, per: 60s}\n")
    reader, writer = await asyncio.open_connection("127.0.0.1", port_of(sim))
    try:
        # held 5 s; refused at once (unsigned: before any chaos); held 5 s, then refused by flow control
        writer.write(post(paths.VERIFY, VERIFY) + post(paths.VERIFY, VERIFY, signed=False)
                     + post(paths.VERIFY, VERIFY))
        got = await _answers_on_the_clock(sim, reader, 3)
    finally:
        writer.close()
    assert [(status(a), body(a)["resultcode"]) for _, a in got] == [(200, "0"), (400, "1023006"), (403, "1010009")]
    (t1, _), (t2, _), (t3, _) = got
    assert START + 5 <= t1 <= t2 <= t3 and t3 >= START + 10


async def test_with_a_data_dir_pipelined_answers_come_in_order_and_the_calls_are_kept(make_sim, tmp_path):
    sim = await make_sim(data_dir=str(tmp_path))
    data = post(paths.VERIFY, VERIFY) + post(paths.VERIFY, VERIFY, signed=False) + post(paths.VERIFY, VERIFY)
    got = await exchange(port_of(sim), data, 3)
    assert [status(a) for a in got] == [200, 400, 200]
    placed = [body(got[0])["sessionId"], body(got[2])["sessionId"]]
    assert placed[0].startswith("1201_1_1_") and placed[1].startswith("1201_2_2_")
    calls = await sim.control("GET", "calls")
    assert [c["sessionId"] for c in calls["calls"]] == placed


async def test_a_client_pipelining_far_ahead_of_answers_that_wait_for_the_disk_gets_them_all(make_sim, tmp_path):
    sim = await make_sim(data_dir=str(tmp_path))
    n = 40  # of 30 kB each: more than the lean path buffers for a connection while an answer waits
    reader, writer = await asyncio.open_connection("127.0.0.1", port_of(sim))
    try:
        writer.write(b"".join(post(paths.STOP, b"{" + b" " * 30_000 + b"}") for _ in range(n)))
        got = await answers(reader, n)
    finally:
        writer.close()
    assert len(got) == n and {body(a)["resultcode"] for a in got} == {"1010002"}


async def test_a_route_that_raises_answers_the_platforms_500_as_aiohttp_does_and_closes(make_sim, plain, monkeypatch):
    sim, other = await make_sim(), await plain()

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in the platform")

    monkeypatch.setattr(sim.platform, "call_verify", boom)
    monkeypatch.setattr(other.platform, "call_verify", boom)
    data = post(paths.VERIFY, VERIFY) + post(paths.STOP, STOP)  # the second is never answered
    got = {}
    for port in (port_of(sim), other.port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(data)
        got[port] = await answers(reader, 2)
        assert await closed(reader)
        writer.close()
    lean = got[port_of(sim)]
    assert len(lean) == 1 and status(lean[0]) == 500 and b"\r\nConnection: close\r\n" in lean[0]
    assert body(lean[0]) == {"resultcode": "1010001", "resultdesc": "Internal system error."}
    assert [status(a) for a in await exchange(port_of(sim), post(paths.STOP, STOP), 1)] == [400]  # the next one
    assert lean == got[other.port]  # byte for byte, header order too


async def test_over_tls_lean_answers_and_hand_offs_share_a_connection_and_urls_are_https(tmp_path, clock, receiver):
    ca = tls.self_signed(tls.cert_names("127.0.0.1"), str(tmp_path))
    assert ca.ca_file is not None
    settings = replace(Settings(manual_clock=True, push_timeout=2.0), callback_talk=12.0, **TWO_NUMBERS)
    runner = web.AppRunner(create_app(platform=Platform(settings, clock)), access_log=None)
    await runner.setup()
    site = Site(runner, "127.0.0.1", 0, ssl_context=ca.context)
    await site.start()
    try:
        click = dict(CLICK, recordFlag="true", statusUrl=receiver.b64("/status"), feeUrl=receiver.b64("/fee"))
        sent = post(paths.CALLBACK, click, host=f"127.0.0.1:{site.port}") + HEALTH + METRICS
        got = await exchange(site.port, sent, 3, ssl_context=ssl.create_default_context(cafile=str(ca.ca_file)))
        assert [status(a) for a in got] == [200, 200, 200]
        assert body(got[1])["status"] == "ok" and counts(got[2]) == (1, 1)  # one lean answer, then aiohttp's
        await clock.advance(60)
        (bill,) = receiver.bills()
        assert bill["sessionId"] == body(got[0])["sessionId"]
        assert bill["recordFileDownloadUrl"].startswith(f"https://127.0.0.1:{site.port}/rest/provision/voice/record/")
    finally:
        await runner.cleanup()


async def test_stopping_the_site_closes_the_connections_on_the_lean_path(clock):
    runner = web.AppRunner(create_app(platform=Platform(Settings(manual_clock=True), clock)), access_log=None)
    await runner.setup()
    site = Site(runner, "127.0.0.1", 0)  # keep-alive 75 s: only the stop can close them
    await site.start()
    idle, idle_writer = await asyncio.open_connection("127.0.0.1", site.port)
    half, half_writer = await asyncio.open_connection("127.0.0.1", site.port)
    half_writer.write(post(paths.STOP, STOP)[:-5])
    served, served_writer = await asyncio.open_connection("127.0.0.1", site.port)
    served_writer.write(post(paths.STOP, STOP))
    try:
        assert [status(a) for a in await answers(served, 1)] == [400]  # so the two before are accepted by now
        await asyncio.wait_for(runner.cleanup(), 5.0)
        assert [await closed(reader) for reader in (idle, half, served)] == [True] * 3
    finally:
        for writer in (idle_writer, half_writer, served_writer):
            writer.close()


async def test_an_answer_held_when_the_site_stops_is_still_written_then_its_connection_closes(clock):
    runner = web.AppRunner(create_app(platform=Platform(Settings(manual_clock=True), clock)), access_log=None)
    await runner.setup()
    site = Site(runner, "127.0.0.1", 0)
    await site.start()
    control = SimControl(f"http://127.0.0.1:{site.port}")
    slow = "name: slow\noutcomes: [{outcome: answered}]\nchaos:\n  api:\n    latency: 5s\n"
    assert (await control.request("POST", "scenarios", {"yaml": slow})).status == 200
    await control.close()
    reader, writer = await asyncio.open_connection("127.0.0.1", site.port)
    try:
        waiting = clock.pending
        writer.write(post(paths.VERIFY, VERIFY))
        for _ in range(100):  # until the request waits out its latency on the clock
            if clock.pending > waiting:
                break
            await asyncio.sleep(0.01)
        stopping = asyncio.ensure_future(runner.cleanup())
        await asyncio.sleep(0.1)
        assert not stopping.done()  # the stop waits for the answer being worked out
        await clock.advance(5)
        got = await answers(reader, 1)
        assert [(status(a), body(a)["resultcode"]) for a in got] == [(200, "0")]
        assert await closed(reader)
        await asyncio.wait_for(stopping, 5.0)
    finally:
        writer.close()
