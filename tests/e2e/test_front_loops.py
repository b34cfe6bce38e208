"""``voicesim serve`` on either event loop: lean answers and a hand-off to aiohttp share one connection."""
from __future__ import annotations

import pytest

from simulator.api import paths
from simulator.client import SimControl
from tests.front.wire import HEALTH, VERIFY, body, counts, exchange, post, status
from tests.helpers import end, free_port, health_of, serve, until


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
async def test_serve_answers_lean_and_handed_off_requests_on_one_connection(tmp_path, loop):
    port, log = free_port(), tmp_path / "serve.log"
    proc = await serve(port, log, "--loop", loop)
    control = SimControl(f"http://127.0.0.1:{port}")
    try:
        await until("the simulator to start", health_of(control))
        metrics = b"GET /_sim/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        got = await exchange(port, post(paths.VERIFY, VERIFY) + post(paths.VERIFY, VERIFY, signed=False)
                             + HEALTH + metrics, 4)
        assert [status(a) for a in got] == [200, 400, 200, 200]
        assert body(got[0])["resultcode"] == "0" and body(got[1])["resultcode"] == "1023006"
        assert body(got[2])["status"] == "ok"
        # two lean answers; this connection and the health checks' were handed to aiohttp
        lean, handed_off = counts(got[3])
        assert lean == 2 and handed_off >= 2
    finally:
        await control.close()
        await end(proc)
    assert "Traceback" not in log.read_text(), log.read_text()
