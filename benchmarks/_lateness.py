"""(d) Lateness of scripted events with about 10,000 live calls, GC pauses included.

This process serves the simulator (real clock, speed 1, as ``voicesim serve`` runs it, its
collector tuned the same way) pinned to one core; ``_loadgen.py`` on the other core places
signed callVerify requests (status and bill URLs pointing at its SP) at the rate that keeps
``live`` calls going, each call living its whole script. Once warm, probes scheduled on the
simulator's clock (200 a second, as any scripted step is) note how late they ran; the
simulator's own figure (``/_sim/health``) is read at the end when it has one.

    python benchmarks/_lateness.py LIVE WINDOW    (prints one JSON line)
"""
from __future__ import annotations

import asyncio
import gc
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _procs import HERE, LOAD_CPU, SERVER_CPU, free_port, pin_self, python
from aiohttp import web

from simulator import Platform, Settings, create_app
from simulator.config import DEMO_APP_KEY

PROBES_PER_S = 200


async def call_life() -> float:
    """Simulated seconds one default verification-code call lives."""
    platform = Platform(Settings(manual_clock=True))
    call = platform.call_verify(platform.apps[DEMO_APP_KEY], "+8675528000002", "+8613800000000", "123456", 3,
                                "pretone.wav")
    while call.live:
        await platform.clock.advance(0.5)
    return call.end - call.start


async def main(live: int, window: float) -> None:
    pin_self(SERVER_CPU)
    life = await call_life()
    rate = live / life
    settings = Settings(port=free_port())
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        from simulator.front import Site
    except ImportError:  # code from before the front: aiohttp alone
        await web.TCPSite(runner, "127.0.0.1", settings.port).start()
    else:
        await Site(runner, "127.0.0.1", settings.port).start()  # as `voicesim serve` listens
    try:
        from simulator.collector import tune as tune_gc
    except ImportError:  # code from before the collector was tuned
        pass
    else:
        tune_gc()
    from simulator.api import PLATFORM
    platform = app[PLATFORM]
    clock = platform.clock
    warmup = life + 3.0
    load = python(HERE / "_loadgen.py", "rate", str(settings.port), "--seconds", str(warmup + window),
                  "--rate", f"{rate:.1f}", "--concurrency", "256", cpu=LOAD_CPU, stdout=subprocess.PIPE)
    late: list[float] = []
    lives: list[int] = []
    measuring = False
    interval = 1.0 / PROBES_PER_S

    def probe(due: float) -> None:
        if measuring:
            late.append((clock.now() - due) / clock.speed)
        clock.call_at(due + interval, probe, due + interval)

    pauses: list[float] = []  # every collection in the window, seconds
    by_gen: dict[int, list[float]] = {}
    started: list[float] = [0.0]

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        elif measuring:
            pauses.append(time.perf_counter() - started[0])
            by_gen.setdefault(info["generation"], []).append(pauses[-1])

    gc.callbacks.append(timed)
    first = clock.now() + interval
    clock.call_at(first, probe, first)
    await asyncio.sleep(warmup)
    measuring = True
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    end = time.monotonic() + window
    while time.monotonic() < end:
        lives.append(len(platform.engine.live))
        await asyncio.sleep(0.5)
    measuring = False
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_share = (after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime) / window
    own: Any = None
    lateness = getattr(clock, "lateness", None)  # the simulator's own figure, where it has one
    if lateness is not None:
        own = lateness.figures().to_json(clock.speed)
    out, _ = await asyncio.get_running_loop().run_in_executor(None, load.communicate)
    await runner.cleanup()
    late.sort()
    pct = (lambda q: late[min(len(late) - 1, int(q * len(late)))] * 1000) if late else (lambda q: float("nan"))
    print(json.dumps({"live": statistics.median(lives) if lives else 0, "rate": rate, "life": life,
                      "probes": len(late), "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": pct(1.0),
                      "gc_pauses": len(pauses), "gc_max_ms": max(pauses, default=0.0) * 1000,
                      "cpu_share": cpu_share, "gc_by_generation": {g: [len(v), round(max(v) * 1000, 1)]
                                                                    for g, v in sorted(by_gen.items())},
                      "own": own, "load": json.loads(out) if out else None}))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2])))
