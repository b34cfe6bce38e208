"""Raw HTTP/1.1 on real sockets for the front's tests: requests as bytes, answers as bytes (the Date left out,
as the only header the lean path may write differently from aiohttp)."""
from __future__ import annotations

import asyncio
import json
import re
import ssl
from typing import Any

from simulator.auth import request_headers
from simulator.config import Settings
from tests.helpers import DISPLAY, DISPLAY_B, A, B

BOUND = 5.0  # real seconds for an answer or a close to arrive: far above what it takes, far below "never"
_DATE = re.compile(rb"\r\nDate: [^\r\n]*")
_KEY, _SECRET = Settings().app_key, Settings().app_secret
TWO_NUMBERS = {"display_numbers": (DISPLAY, DISPLAY_B)}  # what click2Call needs
VERIFY = {"displayNbr": DISPLAY, "calleeNbr": "+8613800000000", "languageType": 2, "preTone": "pretone.wav",
          "verifyCode": "123456"}
NOTIFY = {"displayNbr": DISPLAY, "calleeNbr": "+8613800000000", "playInfoList": [{"notifyVoice": "notifyvoice.wav"}]}
CLICK = {"displayNbr": DISPLAY, "callerNbr": A, "displayCalleeNbr": DISPLAY_B, "calleeNbr": B}
STOP = {"sessionid": "1201_9_9_20260101000000@callenabler245.huaweicaas.com", "signal": "call_stop"}  # no such call
HEALTH = b"GET /_sim/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
METRICS = b"GET /_sim/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def signature() -> str:
    """The two AKSK header lines, signed afresh (a new nonce each time)."""
    return "".join(f"{k}: {v}\r\n" for k, v in request_headers(_KEY, _SECRET).items())


def post(path: str, body: Any, *, ctype: str = "application/json", signed: bool = True, head: str = "",
         host: str = "127.0.0.1") -> bytes:
    """A POST as an SP sends it: ``body`` as JSON (bytes: as they are), ``head`` more header lines."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    auth = signature() if signed else ""
    return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {ctype}\r\n{auth}{head}"
            f"Content-Length: {len(raw)}\r\n\r\n").encode() + raw


async def answer(reader: asyncio.StreamReader) -> bytes:
    """One answer off the connection, its Date header left out."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = re.search(rb"\r\nContent-Length: (\d+)\r\n", head)
    assert length is not None, head
    return _DATE.sub(b"", head) + await reader.readexactly(int(length[1]))


async def answers(reader: asyncio.StreamReader, n: int) -> list[bytes]:
    """Up to ``n`` answers: those that came within BOUND, before the connection ended."""
    got: list[bytes] = []

    async def read() -> None:
        while len(got) < n:
            got.append(await answer(reader))

    try:
        await asyncio.wait_for(read(), BOUND)
    except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        pass
    return got


async def exchange(port: int, data: bytes, n: int, *, one_byte: bool = False,
                   ssl_context: ssl.SSLContext | None = None) -> list[bytes]:
    """Send ``data`` on a new connection (in one write, or a byte a write) and read ``n`` answers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ssl_context)
    try:
        if one_byte:
            for i in range(len(data)):
                writer.write(data[i:i + 1])
                await writer.drain()
                for _ in range(3):  # a few turns of the loop: the server reads this byte alone
                    await asyncio.sleep(0)
        else:
            writer.write(data)
        return await answers(reader, n)
    finally:
        writer.close()


async def one_by_one(port: int, requests: list[bytes]) -> list[bytes]:
    """Each request on one kept-alive connection, the next sent once the last was answered."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        got = []
        for request in requests:
            writer.write(request)
            got += await answers(reader, 1)
        return got
    finally:
        writer.close()


async def closed(reader: asyncio.StreamReader) -> bool:
    """Whether the server ends the connection within BOUND (what it sends before is read and dropped)."""
    try:
        await asyncio.wait_for(reader.read(), BOUND)
        return True
    except TimeoutError:
        return False


def status(answer: bytes) -> int:
    """The answer's HTTP status."""
    return int(answer.split(b" ", 2)[1])


def body(answer: bytes) -> dict[str, Any]:
    """The answer's JSON body."""
    doc: dict[str, Any] = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    return doc


def port_of(sim: Any) -> int:
    """The port a simulator of ``make_sim`` listens on."""
    return int(sim.base_url.rsplit(":", 1)[1])


async def front_counts(port: int) -> tuple[int, int]:
    """(lean answers, connections handed off) in /_sim/metrics, asked on a connection of its own: one more hand-off."""
    (metrics,) = await exchange(port, METRICS, 1)
    return counts(metrics)


def counts(metrics: bytes) -> tuple[int, int]:
    """(lean answers, connections handed off) in an answer of /_sim/metrics."""
    text = metrics.decode()
    lean = re.search(r"^voicesim_http_lean_answers_total (\d+)$", text, re.M)
    handed = re.search(r"^voicesim_http_handed_off_total (\d+)$", text, re.M)
    assert lean is not None and handed is not None, text
    return int(lean[1]), int(handed[1])
