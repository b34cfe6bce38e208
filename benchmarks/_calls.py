"""(b) Complete calls/s: voicesim at --speed 1000 against the bare baseline (``_bare_calls.py``), same run.

A complete call is the signed callVerify request (statusUrl and feeUrl), its four status pushes
and its share of one bill push, all received by the SP. The load and the SP (``_loadgen.py``)
run in one process on the other core; ``concurrency`` callers each wait for their call to be
complete before placing the next, so the figure is what the server sustains, never a backlog.
"""
from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass

from _procs import HERE, LOAD_CPU, SERVER_CPU, Spread, free_port, python, stop, wait_port


@dataclass(slots=True)
class CallsResult:
    """Complete calls/s and the server's CPU per complete call, by round."""

    bare: Spread
    sim: Spread
    bare_cpu_ms: Spread
    sim_cpu_ms: Spread
    ratios: Spread
    bills_per_message: float
    lost: int


def _server(name: str, port: int, loop: str) -> subprocess.Popen[bytes]:
    if name == "bare":
        return python(HERE / "_bare_calls.py", str(port), cpu=SERVER_CPU)
    return python("-m", "simulator", "serve", "--port", str(port), "--speed", "1000", "--auth-window", "3600",
                  "--loop", loop, cpu=SERVER_CPU, stdout=subprocess.DEVNULL)


def _round(name: str, seconds: float, warmup: float, concurrency: int, loop: str) -> dict[str, float]:
    port = free_port()
    proc = _server(name, port, loop)
    try:
        wait_port(port)
        time.sleep(0.3)
        load = python(HERE / "_loadgen.py", "closed", str(port), "--seconds", str(seconds), "--warmup",
                      str(warmup), "--concurrency", str(concurrency), "--server-pid", str(proc.pid),
                      cpu=LOAD_CPU, stdout=subprocess.PIPE)
        out, _ = load.communicate(timeout=seconds + warmup + 60)
    finally:
        stop(proc)
    return json.loads(out)  # type: ignore[no-any-return]


def measure(rounds: int, seconds: float, warmup: float, concurrency: int, loop: str = "asyncio") -> CallsResult:
    """Paired rounds, the order alternating."""
    got: dict[str, list[dict[str, float]]] = {"bare": [], "sim": []}
    for r in range(rounds):
        for name in (("bare", "sim") if r % 2 == 0 else ("sim", "bare")):
            got[name].append(_round(name, seconds, warmup, concurrency, loop))

    def per_s(name: str) -> list[float]:
        return [g["calls_per_s"] for g in got[name]]

    def cpu_ms(name: str) -> list[float]:
        return [g["server_cpu"] / max(g["completed"], 1) * 1000 for g in got[name]]

    sim = got["sim"]
    return CallsResult(Spread(per_s("bare")), Spread(per_s("sim")), Spread(cpu_ms("bare")), Spread(cpu_ms("sim")),
                       Spread([s / b for s, b in zip(per_s("sim"), per_s("bare"))]),
                       sum(g["bills"] for g in sim) / max(sum(g["bill_messages"] for g in sim), 1),
                       int(sum(g["lost"] + g["errors"] for g in sim)))
