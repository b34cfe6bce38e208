"""``make bench``: voicesim against bare aiohttp in the same run, and live calls per process.

1. Requests/s: a bare aiohttp server answering the verification-code route with a fixed JSON
   body, and voicesim itself (auth, field checks, a real call placed on the clock), each loaded by
   wrk (one thread, the other core) with pre-signed requests, each nonce used once. Rounds
   alternate between the two; the medians and their ratio are printed. Without wrk (Debian
   package ``wrk``) a slower Python load generator is used and says so.
2. Live calls: one process places N calls through the platform object (no HTTP, no push URLs)
   on a manual clock and reports resident memory per call.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform as host
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.auth import request_headers  # noqa: E402
from simulator.config import DEMO_APP_KEY, DEMO_APP_SECRET  # noqa: E402

PATH = "/rest/httpsessions/callVerify/v1.0"
BODY = json.dumps({"displayNbr": "+8675528000002", "calleeNbr": "+8613800000000", "languageType": 2,
                   "preTone": "pretone.wav", "verifyCode": "123456", "returnIdlePort": "true"})

BARE_SERVER = r'''
import json, sys
from aiohttp import web
ANSWER = json.dumps({"resultcode": "0", "resultdesc": "Success", "sessionId": "x", "idlePort": 1}).encode()
async def handle(request):
    json.loads(await request.read())
    return web.Response(body=ANSWER, headers={"Content-Type": "application/json;charset=UTF-8"})
app = web.Application()
app.router.add_post(sys.argv[2], handle)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
'''

WRK_SCRIPT = r'''
local reqs = {}
local i = 0
init = function(args)
  local body = args[2]
  for line in io.lines(args[1]) do
    local sep = line:find("\t")
    local headers = {["Authorization"] = line:sub(1, sep - 1), ["X-AKSK"] = line:sub(sep + 1),
                     ["Content-Type"] = "application/json;charset=UTF-8"}
    reqs[#reqs + 1] = wrk.format("POST", nil, headers, body)
  end
end
request = function()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def pinned(cpu: int) -> list[str]:
    """Pin to one core when taskset exists: server and load generator must not share a core."""
    return ["taskset", "-c", str(cpu)] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else []


def start_bare(port: int) -> subprocess.Popen:
    return subprocess.Popen(pinned(0) + [sys.executable, "-c", BARE_SERVER, str(port), PATH])


def start_voicesim(port: int, loop: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # Speed 20 makes each call live ~1 s, so ports never run out during a run.
    args = [sys.executable, "-m", "simulator", "serve", "--port", str(port), "--speed", "20",
            "--auth-window", "3600"]
    args += ["--loop", loop]
    return subprocess.Popen(pinned(0) + args, env=env, stdout=subprocess.DEVNULL)


def signed_file(n: int, directory: str) -> str:
    path = os.path.join(directory, f"signed-{time.monotonic_ns()}.tsv")
    with open(path, "w") as fh:
        for _ in range(n):
            h = request_headers(DEMO_APP_KEY, DEMO_APP_SECRET)
            fh.write(f"{h['Authorization']}\t{h['X-AKSK']}\n")
    return path


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux), to price each request in CPU microseconds."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_wrk(port: int, seconds: float, conns: int, signed: str, script: str) -> tuple[float, int, int]:
    out = subprocess.run(pinned(1) + ["wrk", "-t1", f"-c{conns}", f"-d{int(seconds)}s", "-s", script,
                          f"http://127.0.0.1:{port}{PATH}", "--", signed, BODY],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, int(bad.group(1)) if bad else 0, total


async def _python_load(port: int, seconds: float, conns: int) -> tuple[float, int, int]:
    import aiohttp

    count = bad = 0
    end = time.monotonic() + seconds
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=conns)) as session:
        async def worker() -> None:
            nonlocal count, bad
            while time.monotonic() < end:
                headers = request_headers(DEMO_APP_KEY, DEMO_APP_SECRET)
                headers["Content-Type"] = "application/json"
                async with session.post(f"http://127.0.0.1:{port}{PATH}", data=BODY, headers=headers) as r:
                    await r.read()
                    count += 1
                    bad += r.status != 200
        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(conns)))
        return count / (time.monotonic() - started), bad, count


def throughput(rounds: int, seconds: float, conns: int, loops: list[str]) -> None:
    use_wrk = shutil.which("wrk") is not None
    print(f"\n== requests/s, {rounds} rounds of {seconds:g} s, {conns} connections, load: "
          f"{'wrk -t1' if use_wrk else 'python aiohttp client (install wrk for real figures)'}")
    results: dict[str, list[float]] = {"bare aiohttp": []}
    cpu_us: dict[str, list[float]] = {"bare aiohttp": []}
    errors: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "signed.lua")
        Path(script).write_text(WRK_SCRIPT)
        servers = [("bare aiohttp", lambda p: start_bare(p))]
        for loop in loops:
            servers.append((f"voicesim ({loop})", lambda p, loop=loop: start_voicesim(p, loop)))
            results[f"voicesim ({loop})"] = []
            cpu_us[f"voicesim ({loop})"] = []
        for _ in range(rounds):
            for name, start in servers:
                port = free_port()
                proc = start(port)
                try:
                    wait_port(port)
                    if use_wrk:
                        signed = signed_file(int(seconds * 40_000), tmp)
                        cpu = cpu_seconds(proc.pid)
                        rps, bad, total = run_wrk(port, seconds, conns, signed, script)
                        cpu = cpu_seconds(proc.pid) - cpu
                        os.unlink(signed)
                    else:
                        cpu = cpu_seconds(proc.pid)
                        rps, bad, total = asyncio.run(_python_load(port, seconds, conns))
                        cpu = cpu_seconds(proc.pid) - cpu
                finally:
                    proc.terminate()
                    proc.wait(10)
                results[name].append(rps)
                cpu_us[name].append(cpu / max(total, 1) * 1e6)
                errors[name] = errors.get(name, 0) + bad
    base = statistics.median(results["bare aiohttp"])
    base_cpu = statistics.median(cpu_us["bare aiohttp"])
    for name, values in results.items():
        med = statistics.median(values)
        cpu = statistics.median(cpu_us[name])
        runs = ", ".join(f"{v:,.0f}" for v in values)
        print(f"{name:22s} median {med:9,.0f} req/s   ratio {med / base:4.2f}x   "
              f"server CPU {cpu:5.1f} us/request (+{cpu - base_cpu:4.1f})   runs [{runs}]"
              f"   non-200: {errors.get(name, 0)}")


def rss_bytes() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def live_calls(n: int) -> None:
    from simulator import Platform, Settings, create_app

    print(f"\n== live calls in one process: {n:,} verification-code calls, no push URLs, journal on")
    platform = Platform(Settings(manual_clock=True))
    create_app(platform=platform)  # the journal's hooks record each call as the served product does
    platform.ports.capacity = n  # the bench measures memory, not the 65535-port limit
    app = platform.apps[DEMO_APP_KEY]
    gc.collect()
    before = rss_bytes()
    started = time.perf_counter()
    for i in range(n):
        platform.call_verify(app, "+8675528000002", f"+86138{i:08d}", "123456", 3, "pretone.wav", user_data=f"u{i}")
    elapsed = time.perf_counter() - started
    gc.collect()
    after = rss_bytes()
    per = (after - before) / n
    print(f"live calls {len(platform.engine.live):,}   scheduled steps {platform.clock.pending:,}   "
          f"RSS +{(after - before) / 2**20:,.0f} MiB   {per:,.0f} bytes/call   "
          f"placed at {n / elapsed:,.0f} calls/s (no HTTP)")
    print(f"a million calls would take about {per * 1e6 / 2**30:.2f} GiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--uvloop", action="store_true", help="also measure voicesim on uvloop (pip install uvloop)")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    print(f"machine: {host.machine()}, {os.cpu_count()} cores, Python {host.python_version()}, "
          f"{host.platform()}")
    if not args.skip_http:
        throughput(args.rounds, args.seconds, args.connections, ["asyncio"] + (["uvloop"] if args.uvloop else []))
    live_calls(args.calls)


if __name__ == "__main__":
    main()
