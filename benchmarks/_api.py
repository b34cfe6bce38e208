"""(a) Requests/s of signed callVerify: voicesim against a bare aiohttp server answering the same request.

Both are loaded by wrk (one thread, the other core) with the same pre-signed requests (each nonce
used once per server), rounds alternating between the two. Without wrk (Debian package ``wrk``)
there is no figure: a Python load generator would measure itself.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _procs import LOAD_CPU, SERVER_CPU, Spread, cpu_seconds, free_port, pinned, stop, wait_port

from simulator.auth import request_headers
from simulator.config import DEMO_APP_KEY, DEMO_APP_SECRET

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


@dataclass(slots=True)
class ApiResult:
    """Requests/s and server CPU per request of both servers, by round."""

    bare: Spread
    sim: Spread
    bare_cpu_us: Spread
    sim_cpu_us: Spread
    ratios: Spread
    non_200: int


def _start(name: str, port: int, loop: str) -> subprocess.Popen[bytes]:
    if name == "bare":
        return subprocess.Popen(pinned(SERVER_CPU) + [sys.executable, "-c", BARE_SERVER, str(port), PATH])
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    # Speed 20 makes each call live about a second, so ports never run out during a round.
    args = [sys.executable, "-m", "simulator", "serve", "--port", str(port), "--speed", "20", "--auth-window", "3600",
            "--loop", loop]
    return subprocess.Popen(pinned(SERVER_CPU) + args, env=env, stdout=subprocess.DEVNULL)


def _signed(n: int, path: str) -> None:
    with open(path, "w") as fh:
        for _ in range(n):
            h = request_headers(DEMO_APP_KEY, DEMO_APP_SECRET)
            fh.write(f"{h['Authorization']}\t{h['X-AKSK']}\n")


def _wrk(port: int, seconds: float, conns: int, signed: str, script: str) -> tuple[float, int, int]:
    out = subprocess.run(pinned(LOAD_CPU) + ["wrk", "-t1", f"-c{conns}", f"-d{int(seconds)}s", "-s", script,
                                            f"http://127.0.0.1:{port}{PATH}", "--", signed, BODY],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return rps, int(bad.group(1)) if bad else 0, total


def measure(rounds: int, seconds: float, conns: int, loop: str = "asyncio") -> ApiResult | None:
    """Paired rounds (bare then voicesim, the order alternating), or None without wrk."""
    if shutil.which("wrk") is None:
        print("(a) skipped: wrk is not installed (apt-get install wrk)")
        return None
    rps: dict[str, list[float]] = {"bare": [], "sim": []}
    cpu: dict[str, list[float]] = {"bare": [], "sim": []}
    bad_total = 0
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "signed.lua")
        Path(script).write_text(WRK_SCRIPT)
        signed = os.path.join(tmp, "signed.tsv")
        _signed(int(seconds * 20_000), signed)  # a fresh server per round: each nonce once per server
        for r in range(rounds):
            for name in (("bare", "sim") if r % 2 == 0 else ("sim", "bare")):
                port = free_port()
                proc = _start(name, port, loop)
                try:
                    wait_port(port)
                    time.sleep(0.3)
                    before = cpu_seconds(proc.pid)
                    value, bad, total = _wrk(port, seconds, conns, signed, script)
                    used = cpu_seconds(proc.pid) - before
                finally:
                    stop(proc)
                rps[name].append(value)
                cpu[name].append(used / max(total, 1) * 1e6)
                if name == "sim":
                    bad_total += bad
    ratios = [s / b for s, b in zip(rps["sim"], rps["bare"])]
    return ApiResult(Spread(rps["bare"]), Spread(rps["sim"]), Spread(cpu["bare"]), Spread(cpu["sim"]),
                     Spread(ratios), bad_total)
