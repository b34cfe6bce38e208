"""Idle and half-sent connections are closed in bounded time (--keepalive-timeout, --body-timeout), while
the simulator keeps answering everyone else."""
from __future__ import annotations

import asyncio

from simulator.auth import request_headers
from simulator.client import SimControl
from simulator.config import DEMO_APP_KEY, DEMO_APP_SECRET
from tests.helpers import end, free_port, health_of, serve, until

BOUND = 10.0  # real seconds: far above the one-second timeouts the server is given, far below "never"


def _signed(path: str, length: int) -> bytes:
    headers = "".join(f"{k}: {v}\r\n" for k, v in request_headers(DEMO_APP_KEY, DEMO_APP_SECRET).items())
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{headers}"
            f"Content-Length: {length}\r\n\r\n").encode()


async def _closed_after(port: int, sent: bytes) -> bytes:
    """Open a connection, send ``sent`` and nothing more; what came back until the server closed it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(sent)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), BOUND)  # b"" or an answer, then the end of the stream
    finally:
        writer.close()


async def test_idle_and_half_sent_connections_are_closed_and_the_server_answers_the_rest(tmp_path):
    port, log = free_port(), tmp_path / "serve.log"
    proc = await serve(port, log, "--keepalive-timeout", "1", "--body-timeout", "1")
    control = SimControl(f"http://127.0.0.1:{port}")
    try:
        await until("the simulator to start", health_of(control))
        keep_alive = b"GET /_sim/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        cases = {
            "idle from the start": b"",
            "half the headers": b"POST /rest/httpsessions/callVerify/v1.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A",
            "half a platform body": _signed("/rest/httpsessions/callVerify/v1.0", 100) + b'{"displayNbr":',
            "half a control body": b"POST /_sim/ports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 50\r\n\r\n{",
            "idle after an answer": keep_alive,
        }
        results = dict(zip(cases, await asyncio.gather(*(_closed_after(port, sent) for sent in cases.values()))))
        # meanwhile, and after: everyone else is answered at once
        assert (await asyncio.wait_for(control.health(), 1))["status"] == "ok"
        for name, got in results.items():
            if name == "idle after an answer":
                assert got.startswith(b"HTTP/1.1 200 OK\r\n") and b'"status": "ok"' in got, got
            else:
                assert got == b"", (name, got)  # closed without an answer
        ports = await control.ports()
        assert ports["capacity"] == 65535  # the half-sent change never happened
    finally:
        await control.close()
        await end(proc)
    assert "Traceback" not in log.read_text(), log.read_text()
