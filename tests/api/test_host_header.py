"""A ``Host`` that names no host and port: click2Call, which builds the recording's address from it,
refuses the request (400, ``1010002``) instead of failing, and everything else is unharmed."""
from __future__ import annotations

import asyncio
import json

import pytest

from simulator.auth import request_headers
from tests.helpers import assert_unharmed, call_before, callback_body


async def _exchange(sim, head: str, body: bytes = b"") -> tuple[int, dict]:
    port = int(sim.base_url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode() + b"\r\n" + body)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 5)
        headers = {}
        while (line := await asyncio.wait_for(reader.readline(), 5)) != b"\r\n":
            name, _, value = line.decode().partition(":")
            headers[name.lower()] = value.strip()
        payload = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), 5)
        return int(status_line.split()[1]), json.loads(payload)
    finally:
        writer.close()


def _signed(sim) -> str:
    return "".join(f"{k}: {v}\r\n" for k, v in request_headers(sim.app_key, sim.app_secret).items())


@pytest.mark.parametrize("host", ["127.0.0.1:99999", "127.0.0.1:port", ""])
async def test_click_to_call_with_a_host_that_names_no_address_is_refused_not_failed(sim, host):
    before = await call_before(sim)
    body = json.dumps(callback_body(sim, recordFlag="true")).encode()
    status, reply = await _exchange(
        sim, f"POST /rest/httpsessions/click2Call/v2.0 HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
             f"Content-Length: {len(body)}\r\n{_signed(sim)}", body)
    assert status == 400
    assert reply["resultcode"] == "1010002" and "Host" in reply["resultdesc"], reply
    assert (await sim.control("GET", "/_sim/calls"))["calls"][-1]["sessionId"] == before  # nothing placed
    await assert_unharmed(sim, before)

