"""The push backlog: a bounded FIFO per SP origin, served in order by a fixed set of senders.

A "dead" SP here accepts connections and never answers: its pushes stay on the wire (until
the SP goes away) while everything else goes on. Nothing is timed: each test waits, in
bounded real time, for what the other SP must see, then checks what the dead one still holds.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from simulator.client import b64
from simulator.delivery import NOT_SENT, Outbox, Push
from simulator.delivery.wire import target
from tests.helpers import until


class DeadSp:
    """An SP that accepts connections and reads, but never answers."""

    def __init__(self) -> None:
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []
        self.base_url = ""

    async def start(self) -> None:
        async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.writers.append(writer)
            while await reader.read(65536):
                pass

        self.server = await asyncio.start_server(hold, "127.0.0.1", 0)
        self.base_url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def close(self) -> None:
        """Go away: every connection it held is closed, so what waited on it fails at once."""
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()
        await self.server.wait_closed()


@pytest.fixture
async def dead() -> AsyncIterator[DeadSp]:
    sp = DeadSp()
    await sp.start()
    yield sp
    if sp.server is not None and sp.server.is_serving():
        await sp.close()



async def place(sim, callee: str, status_url: str, fee_url: str | None = None) -> str:
    body = sim.verify_request(calleeNbr=callee, statusUrl=b64(status_url),
                              feeUrl=b64(fee_url) if fee_url else None)
    reply = await sim.client.call_verify(**body)
    assert reply.status == 200 and reply["resultcode"] == "0", reply.body
    return reply["sessionId"]


async def test_a_dead_sp_delays_neither_another_sps_pushes_nor_the_api(make_sim, dead):
    sim = await make_sim(push_timeout=60.0, push_senders=2)
    stuck = [await place(sim, f"+8613800000{i:03d}", dead.base_url + "/status") for i in range(5)]
    # Two callouts are on the wire to the dead SP, three wait behind them: all of it, visibly.
    health = (await sim.control("GET", "health")).body
    origin = target(dead.base_url + "/status").origin  # type: ignore[union-attr]
    assert health["pushBacklog"]["byOrigin"][origin] == {"queued": 3, "sending": 2, "oldestWaitSeconds": 0.0}
    assert health["pushBacklog"]["queued"] == 3 and health["pushBacklog"]["sending"] == 2
    queued = await sim.control("GET", "deliveries", state="queued")
    assert sorted(d["sessionIds"][0] for d in queued["deliveries"]) == sorted(stuck[2:])
    text = (await sim.control_api.request("GET", "metrics")).body["raw"]  # type: ignore[union-attr]
    assert "voicesim_push_backlog 3" in text and f'voicesim_push_backlog_by_origin{{origin="{origin}"}} 3' in text

    # Meanwhile the API answers, and another SP gets its callout at once.
    fine = await place(sim, "+8613900000001", sim.receiver.url("/status"))
    await until("the healthy SP's callout", lambda: sim.receiver.event_types(fine) == ["callout"])
    dead_pushes = [p for p in sim.platform.delivery.pushes if p.url.startswith(dead.base_url)]
    assert [p.state for p in dead_pushes] == ["sending", "sending", "queued", "queued", "queued"]
    assert not any(p.attempts for p in dead_pushes)

    # The dead SP goes away: what waited on it fails, with the reason, and the backlog is empty again.
    await dead.close()
    await sim.advance(0)
    assert [p.state for p in dead_pushes] == ["failed"] * 5
    assert all(p.attempts[0].error for p in dead_pushes)
    health = (await sim.control("GET", "health")).body
    assert health["pushBacklog"] == {"queued": 0, "sending": 0, "byOrigin": {}}


async def test_pushes_to_one_origin_leave_in_the_order_they_were_made(make_sim):
    sim = await make_sim(push_senders=1)
    sim.receiver.stall("/status", 0.2)  # the first answer is slow: the others queue behind it
    sids = [await place(sim, f"+8613800000{i:03d}", sim.receiver.url("/status")) for i in range(6)]
    await sim.advance(0)
    assert [info["sessionId"] for _, info in sim.receiver.events()] == sids


async def test_a_full_queue_refuses_status_events_with_the_reason_and_counts_them(make_sim, dead):
    sim = await make_sim(push_timeout=60.0, push_senders=1, push_queue=2)
    for i in range(5):  # one on the wire, two waiting, two not sent
        await place(sim, f"+8613800000{i:03d}", dead.base_url + "/status")
    pushes = list(sim.platform.delivery.pushes)
    assert [p.state for p in pushes] == ["sending", "queued", "queued", "failed", "failed"]
    origin = target(dead.base_url + "/status").origin  # type: ignore[union-attr]
    assert pushes[3].attempts[0].error == f"{NOT_SENT}the push queue to {origin} is full (2 waiting)"
    text = (await sim.control_api.request("GET", "metrics")).body["raw"]  # type: ignore[union-attr]
    assert 'voicesim_push_attempts_total{kind="status",outcome="not_sent"} 2' in text
    report = (await sim.control_api.request("GET", "report")).body
    found = {f["id"]: f for f in report["findings"]}
    assert found["push.not_sent"]["count"] == 2 and found["push.not_sent"]["severity"] == "warning"
    assert not any(i.startswith("push.unreachable") for i in found)  # the simulator's queue, not a dead SP
    await dead.close()
    await sim.advance(0)


def _push(n: int, kind: str) -> Push:
    from simulator.config import AppConfig
    return Push(n, kind, "fee" if kind == "bill" else "callout", "http://sp.example:8080/p", AppConfig("k", "s"),
                b"{}", (f"s{n}",), 0.0)


async def test_bills_still_join_a_full_queue_they_are_owed():
    release = asyncio.get_running_loop().create_future()
    sent: list[int] = []

    async def deliver(push: Push, pool: Any) -> None:
        await release
        sent.append(push.id)

    tasks: set[asyncio.Task[None]] = set()
    outbox = Outbox(lambda coro: tasks.add(asyncio.ensure_future(coro)), deliver, capacity=2, senders=1)
    where = target("http://sp.example:8080/p")
    assert where is not None
    assert outbox.put(_push(1, "status"), where, 0.0)
    await asyncio.sleep(0)  # the one sender takes it: on the wire, until released
    results = [outbox.put(_push(n, kind), where, 0.0)
               for n, kind in enumerate(["status", "status", "status", "bill", "bill"], 2)]
    assert results == [True, True, False, True, True]  # the 4th status event finds the queue full
    assert outbox.backlog == 4 and outbox.sending == 1
    release.set_result(None)
    await asyncio.gather(*tasks)
    assert sent == [1, 2, 3, 5, 6] and outbox.backlog == 0  # in order, the bills included


async def test_shutdown_sends_nothing_more_than_what_is_on_the_wire(make_sim, dead):
    sim = await make_sim(push_timeout=0.5, push_senders=1)
    for i in range(6):  # six callouts to a dead SP: one on the wire, five waiting
        await place(sim, f"+8613800000{i:03d}", dead.base_url + "/status")
    await until("the first push on the wire", lambda: len(dead.writers) == 1)
    await sim.platform.close()  # as at Ctrl-C or a test's teardown
    pushes = list(sim.platform.delivery.pushes)
    # The push on the wire ran into the push timeout; the five waiting were not sent one after the other.
    assert [len(p.attempts) for p in pushes] == [1, 0, 0, 0, 0, 0]
    assert pushes[0].attempts[0].error == "timeout after 0.5s" and len(dead.writers) == 1


async def test_pushes_on_the_wire_are_bounded_across_every_origin(monkeypatch):
    from simulator.delivery import outbox as module
    monkeypatch.setattr(module, "MAX_ON_WIRE", 2)
    release = asyncio.get_running_loop().create_future()
    on_wire: list[int] = []
    most = 0

    async def deliver(push: Push, pool: Any) -> None:
        nonlocal most
        on_wire.append(push.id)
        most = max(most, len(on_wire))
        await release
        on_wire.remove(push.id)

    tasks: set[asyncio.Task[None]] = set()
    outbox = Outbox(lambda coro: tasks.add(asyncio.ensure_future(coro)), deliver, capacity=10, senders=4)
    for n in range(6):  # three SPs, two pushes each, four senders allowed per SP
        where = target(f"http://sp{n % 3}.example:8080/p")
        assert where is not None and outbox.put(_push(n, "status"), where, 0.0)
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(on_wire) == 2 and outbox.backlog == 4  # the rest wait in their queues, not on a socket
    release.set_result(None)
    await asyncio.gather(*tasks)
    assert most == 2 and outbox.backlog == 0 and not on_wire
