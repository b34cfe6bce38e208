"""``make bench``: voicesim against bare aiohttp baselines measured in the same run, and its own limits.

(a) signed callVerify requests/s, against a bare aiohttp server answering the same request (wrk);
(b) complete calls/s at --speed 1000 (the request, four status pushes, its share of a bill push),
    against an aiohttp server plus an aiohttp client posting the same pushes to the same SP;
(c) bytes per live call at 100,000 live calls, journal on (RSS growth);
(d) p99 lateness of scripted events with 10,000 live calls, GC pauses included.

Servers run on one core, their load and the SP on the other. Rounds are paired (bare and
voicesim back to back, the order alternating) and each figure is the median of the rounds,
printed with its rounds and how busy the machine was with others' work meanwhile.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _api
import _calls
from _procs import HERE, LOAD_CPU, SERVER_CPU, Noise, Spread, machine, python


def _children(script: str, args: list[str], rounds: int, cpu: int) -> list[dict[str, Any]]:
    out = []
    for _ in range(rounds):
        proc = python(HERE / script, *args, cpu=cpu, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        text, _ = proc.communicate(timeout=600)
        out.append(json.loads(text.decode().strip().splitlines()[-1]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds of each (a) and (b) round")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections in (a)")
    parser.add_argument("--concurrency", type=int, default=128, help="callers waiting on their call in (b)")
    parser.add_argument("--calls", type=int, default=100_000, help="live calls in (c)")
    parser.add_argument("--live", type=int, default=10_000, help="live calls in (d)")
    parser.add_argument("--window", type=float, default=8.0, help="measured seconds of each (d) round")
    parser.add_argument("--only", default="abcd", help="the sections to run, e.g. 'bd'")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio",
                        help="voicesim's event loop in (a) and (b) (uvloop: pip install 'voicesim[uvloop]')")
    args = parser.parse_args()
    print(machine() + f", voicesim on {args.loop}")
    print(f"server pinned to core {SERVER_CPU}, load and SP to core {LOAD_CPU}; {args.rounds} rounds each; "
          f"load average {os.getloadavg()[0]:.2f} at the start")
    noise = Noise()
    rows: list[tuple[str, str, str, str, str]] = []

    if "a" in args.only:
        a = _api.measure(args.rounds, args.seconds, args.connections, args.loop)
        if a is not None:
            print(f"(a) bare {a.bare.runs()} req/s, CPU {a.bare_cpu_us.runs('.0f')} us/req; "
                  f"voicesim {a.sim.runs()} req/s, CPU {a.sim_cpu_us.runs('.0f')} us/req; "
                  f"non-200 {a.non_200}", flush=True)
            rows.append(("signed callVerify, requests/s", f"{a.sim.median:,.0f}", f"{a.bare.median:,.0f}",
                         f"{a.ratios.median:.2f}x (rounds {a.ratios.runs('.2f')})", ">= 0.7x"))
            rows.append(("  server CPU per request", f"{a.sim_cpu_us.median:.0f} us", f"{a.bare_cpu_us.median:.0f} us",
                         "", ""))
    if "b" in args.only:
        b = _calls.measure(args.rounds, args.seconds, 1.5, args.concurrency, args.loop)
        print(f"(b) bare {b.bare.runs()} calls/s, CPU {b.bare_cpu_ms.runs('.2f')} ms/call; voicesim {b.sim.runs()} "
              f"calls/s, CPU {b.sim_cpu_ms.runs('.2f')} ms/call; {b.bills_per_message:.1f} bills a message; "
              f"calls lost {b.lost}", flush=True)
        rows.append(("complete calls/s (--speed 1000)", f"{b.sim.median:,.0f}", f"{b.bare.median:,.0f}",
                     f"{b.ratios.median:.2f}x (rounds {b.ratios.runs('.2f')})", ">= 1,000 and >= 0.7x"))
        rows.append(("  server CPU per complete call", f"{b.sim_cpu_ms.median:.2f} ms",
                     f"{b.bare_cpu_ms.median:.2f} ms", f"{b.bare_cpu_ms.median / b.sim_cpu_ms.median:.2f}x", ""))
    if "c" in args.only:
        c = _children("_memory.py", [str(args.calls)], args.rounds, SERVER_CPU)
        per = Spread([float(r["bytes_per_call"]) for r in c])
        bare_calls = _children("_memory.py", [str(args.calls), "calls-only"], args.rounds, SERVER_CPU)
        calls_only = Spread([float(r["bytes_per_call"]) for r in bare_calls])
        print(f"(c) {args.calls:,} live calls: {per.runs()} bytes/call; without the journaled requests "
              f"{calls_only.runs()}", flush=True)
        rows.append((f"bytes per live call at {args.calls:,}", f"{per.median:,.0f}", "",
                     f"{calls_only.median:,.0f} without the journaled request", "<= 1,024"))
    if "d" in args.only:
        d = _children("_lateness.py", [str(args.live), str(args.window)], args.rounds, SERVER_CPU)
        p99 = Spread([float(r["p99_ms"]) for r in d])
        p50 = Spread([float(r["p50_ms"]) for r in d])
        live = Spread([float(r["live"]) for r in d])
        own = [r["own"] for r in d if r.get("own")]
        print(f"(d) live calls {live.runs()}, probe lateness p50 {p50.runs('.2f')} ms, p99 {p99.runs('.2f')} ms, "
              f"max {[round(r['max_ms'], 1) for r in d]} ms"
              + (f"; the simulator's own p99 {[o['p99Ms'] for o in own]} ms" if own else "")
              + f"; GC pauses {[r['gc_pauses'] for r in d]}, longest {[round(r['gc_max_ms'], 1) for r in d]} ms"
              f" (by generation: count, longest ms: {[r['gc_by_generation'] for r in d]});"
              f" the server had {[round(r['cpu_share'] * 100) for r in d]} % of a core", flush=True)
        rows.append((f"p99 lateness, {live.median:,.0f} live calls", f"{p99.median:.2f} ms", "",
                     f"p50 {p50.median:.2f} ms", "<= 5 ms"))

    others = noise.others_share()
    print(f"\n== medians of {args.rounds} rounds; others used {others:.0%} of the machine during the run "
          f"(load average {os.getloadavg()[0]:.2f} at the end)")
    widths = [max(len(r[i]) for r in rows + [("measure", "voicesim", "bare", "ratio", "goal")]) for i in range(5)]
    for row in [("measure", "voicesim", "bare", "ratio", "goal")] + rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


if __name__ == "__main__":
    main()
