"""A real stall of the whole process (SIGSTOP, two seconds) at --speed 3600 moves the simulated clock by
one bounded step, not by two simulated hours; the simulator answers at once when it runs again."""
from __future__ import annotations

import asyncio
import signal
import time

from simulator.client import SimControl
from tests.helpers import end, free_port, health_of, serve, until

SPEED = 3600
STALL = 2.0  # real seconds: 7200 simulated seconds if the clock counted all of it


async def test_a_two_second_stall_at_speed_3600_is_one_bounded_step(tmp_path):
    port, log = free_port(), tmp_path / "serve.log"
    proc = await serve(port, log, "--speed", str(SPEED))
    control = SimControl(f"http://127.0.0.1:{port}")
    try:
        await until("the simulator to start", health_of(control))
        before = (await control.clock())["nowEpoch"]
        real = time.monotonic()
        proc.send_signal(signal.SIGSTOP)
        await asyncio.sleep(STALL)
        proc.send_signal(signal.SIGCONT)
        after = (await asyncio.wait_for(control.clock(), 5))["nowEpoch"]
        running = time.monotonic() - real - STALL  # real time the process was not stopped, between the reads
        jump = after - before
        # the stall is worth one step (60 s, or 20 ms of real time: 72 s at x3600); the rest ran at speed
        assert jump <= 72 + (running + 0.05) * SPEED, (jump, running)
        assert jump < STALL * SPEED / 2
        assert (await asyncio.wait_for(control.health(), 1))["status"] == "ok"
    finally:
        await control.close()
        proc.send_signal(signal.SIGCONT)
        await end(proc)
    assert "Traceback" not in log.read_text(), log.read_text()
