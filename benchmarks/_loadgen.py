"""The load and the SP: one process (pinned to the other core) that places calls and receives their pushes.

Run by the bench, not by hand::

    python benchmarks/_loadgen.py closed PORT --seconds 5 --warmup 1 --concurrency 128 [--server-pid PID]
    python benchmarks/_loadgen.py rate PORT --seconds 30 --rate 550

``closed``: each of ``concurrency`` callers sends a signed callVerify (statusUrl and feeUrl
pointing here), then waits until its call is complete (four status events and its bill
received) before the next. ``rate``: calls leave at ``rate`` a second whatever happens to
them. Either way it prints one JSON line: calls completed in the measured window, pushes
received, the server's CPU seconds in the window.

Both ends speak just enough HTTP/1.1 over asyncio protocols (keep-alive, Content-Length):
the load must cost a fraction of what it measures, and an aiohttp client and server here
cost as much as the server under test.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import os
import re
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _procs import cpu_seconds

from simulator.auth import request_headers
from simulator.config import DEMO_APP_KEY, DEMO_APP_SECRET

PATH = "/rest/httpsessions/callVerify/v1.0"
STATUS_EVENTS = 4  # callout, alerting, answer, disconnect: an answered verification-code call
CALL_TIMEOUT = 10.0
_SESSION = re.compile(rb'"sessionId":\s*"([^"]+)"')
_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
_OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Type: text/plain\r\n\r\n"


def _messages(buf: bytearray) -> list[tuple[bytes, bytes]]:
    """Complete HTTP messages (head, body) at the front of ``buf``, removed from it."""
    out = []
    while True:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return out
        head = bytes(buf[:end])
        m = _LENGTH.search(head)
        size = int(m.group(1)) if m else 0
        if len(buf) < end + 4 + size:
            return out
        out.append((head, bytes(buf[end + 4:end + 4 + size])))
        del buf[:end + 4 + size]


class Sp:
    """The SP receiver: answers every push 200 and tells waiting callers when their call is complete."""

    def __init__(self) -> None:
        self.progress: dict[bytes, list[int]] = {}  # sessionId -> [status events, bill seen]
        self.waiting: dict[bytes, asyncio.Future[None]] = {}
        self.early: set[bytes] = set()  # complete before its caller had read the answer
        self.status = 0
        self.bill_messages = 0
        self.bills = 0
        self.completed_at: list[float] = []

    def push(self, body: bytes) -> None:
        if body.startswith(b'{"eventType":"fee"'):
            self.bill_messages += 1
            for m in _SESSION.finditer(body):
                self.bills += 1
                self._step(m.group(1), 0, 1)
        else:
            self.status += 1
            m = _SESSION.search(body)
            if m:
                self._step(m.group(1), 1, 0)

    def _step(self, sid: bytes, status: int, bill: int) -> None:
        p = self.progress.get(sid)
        if p is None:
            self.progress[sid] = p = [0, 0]
        p[0] += status
        p[1] += bill
        if p[0] >= STATUS_EVENTS and p[1]:
            del self.progress[sid]
            self.completed_at.append(time.monotonic())
            fut = self.waiting.pop(sid, None)
            if fut is None:
                self.early.add(sid)
            elif not fut.done():
                fut.set_result(None)

    async def complete(self, sid: bytes, timeout: float) -> bool:
        """Wait until call ``sid`` is complete; False if it is not within ``timeout`` seconds."""
        if sid in self.early:
            self.early.discard(sid)
            return True
        fut = self.waiting[sid] = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(fut, timeout)
            return True
        except TimeoutError:
            self.waiting.pop(sid, None)
            return False

    def protocol(self) -> asyncio.Protocol:
        sp = self

        class Receiving(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.transport = transport
                self.buf = bytearray()

            def data_received(self, data: bytes) -> None:
                self.buf += data
                for _, body in _messages(self.buf):
                    sp.push(body)
                    self.transport.write(_OK)  # type: ignore[attr-defined]

        return Receiving()


class Connection(asyncio.Protocol):
    """One keep-alive connection to the server under test: one request at a time."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.waiter: asyncio.Future[bytes] | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        for _, body in _messages(self.buf):
            if self.waiter is not None and not self.waiter.done():
                self.waiter.set_result(body)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("closed"))

    async def send(self, request: bytes) -> bytes:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.waiter


class Caller:
    """Builds signed verification-code requests with push URLs pointing at the SP."""

    def __init__(self, port: int, sp_base: str) -> None:
        self.port = port
        self.status_url = base64.b64encode(f"{sp_base}/status".encode()).decode()
        self.fee_url = base64.b64encode(f"{sp_base}/fee".encode()).decode()
        self.numbers = itertools.count()
        self.refused = 0
        self.errors = 0

    def request(self) -> bytes:
        body = json.dumps({"displayNbr": "+8675528000002", "calleeNbr": f"+86138{next(self.numbers) % 10**8:08d}",
                           "languageType": 2, "preTone": "pretone.wav", "verifyCode": "123456",
                           "statusUrl": self.status_url, "feeUrl": self.fee_url}).encode()
        h = request_headers(DEMO_APP_KEY, DEMO_APP_SECRET)
        head = (f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                f"Content-Type: application/json;charset=UTF-8\r\nAuthorization: {h['Authorization']}\r\n"
                f"X-AKSK: {h['X-AKSK']}\r\nContent-Length: {len(body)}\r\n\r\n")
        return head.encode() + body

    async def connect(self) -> Connection:
        _, conn = await asyncio.get_running_loop().create_connection(Connection, "127.0.0.1", self.port)
        return conn

    async def call(self, conn: Connection) -> bytes | None:
        """Place one call on ``conn``; its sessionId, or None if it was refused."""
        try:
            answer = await conn.send(self.request())
        except ConnectionError:
            self.errors += 1
            return None
        if not answer.startswith(b'{"resultcode":"0"'):
            self.refused += 1
            return None
        m = _SESSION.search(answer)
        return m.group(1) if m else None


async def closed(caller: Caller, sp: Sp, concurrency: int, warmup: float, seconds: float,
                 server_pid: int) -> dict[str, Any]:
    start = time.monotonic()
    window = (start + warmup, start + warmup + seconds)
    cpu: list[float] = []
    lost = 0

    async def one() -> None:
        nonlocal lost
        conn = await caller.connect()
        while time.monotonic() < window[1]:
            sid = await caller.call(conn)
            if sid is None:
                if conn.transport is None or conn.transport.is_closing():
                    conn = await caller.connect()
                await asyncio.sleep(0.001)
            elif not await sp.complete(sid, CALL_TIMEOUT):
                lost += 1
        assert conn.transport is not None
        conn.transport.close()

    async def mark() -> None:
        await asyncio.sleep(warmup)
        cpu.append(cpu_seconds(server_pid))
        await asyncio.sleep(seconds)
        cpu.append(cpu_seconds(server_pid))

    await asyncio.gather(mark(), *(one() for _ in range(concurrency)))
    done = sum(1 for t in sp.completed_at if window[0] <= t < window[1])
    return {"calls_per_s": done / seconds, "completed": done, "lost": lost, "refused": caller.refused,
            "errors": caller.errors, "server_cpu": cpu[1] - cpu[0] if len(cpu) == 2 else None,
            "status": sp.status, "bill_messages": sp.bill_messages, "bills": sp.bills}


async def paced(caller: Caller, sp: Sp, rate: float, seconds: float, connections: int) -> dict[str, Any]:
    """Calls at ``rate`` a second for ``seconds``, over a pool of connections (a call waits for a free one)."""
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await caller.connect())
    tasks: set[asyncio.Task[Any]] = set()

    async def one() -> None:
        conn = await pool.get()
        await caller.call(conn)
        pool.put_nowait(conn)

    start = time.monotonic()
    sent = 0
    while (now := time.monotonic()) < start + seconds:
        for _ in range(int((now - start) * rate) - sent):
            task = asyncio.create_task(one())
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            sent += 1
        await asyncio.sleep(0.002)
    return {"sent": sent, "refused": caller.refused, "errors": caller.errors, "status": sp.status,
            "bills": sp.bills, "completed": len(sp.completed_at), "queued_at_end": len(tasks)}


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("closed", "rate"))
    p.add_argument("port", type=int)
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--concurrency", type=int, default=128)
    p.add_argument("--rate", type=float, default=500.0)
    p.add_argument("--server-pid", type=int, default=0)
    args = p.parse_args()
    sp = Sp()
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(sp.protocol, "127.0.0.1", 0, backlog=1024)
    caller = Caller(args.port, f"http://127.0.0.1:{srv.sockets[0].getsockname()[1]}")
    if args.mode == "closed":
        result = await closed(caller, sp, args.concurrency, args.warmup, args.seconds, args.server_pid)
    else:
        result = await paced(caller, sp, args.rate, args.seconds, args.concurrency)
    srv.close()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
