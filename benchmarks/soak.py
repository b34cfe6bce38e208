"""Soak: calls against a flaky SP while the simulator is SIGKILLed and restarted; every bill promise checked.

    .venv/bin/python benchmarks/soak.py --calls 2000 --kills 3

Two child processes on 127.0.0.1: an SP (this file with ``--sp-port``) whose bill endpoint refuses,
resets the connection or stalls past the push timeout at random, and ``python -m simulator serve
--data-dir ...`` at ``--speed`` (one-hour re-pushes a second apart at 3600). Calls are placed by
concurrent workers (a call whose answer never came is asked for again); meanwhile the simulator is
killed ``--kills`` times at random moments and restarted on the same data dir. When nothing is owed
any more, each run prints what the SP saw: bills accepted exactly once, accepted more than once (a
crash between the SP's answer and the journal: at least once, by design), given up by the rules
(the simulator says given up, the SP saw at most 7 deliveries), lost (neither: must be 0) and the
most deliveries of one bill (must be <= 7). Exit status 1 when a promise is broken. Bounded: at most
``--calls`` calls and ``--timeout`` real seconds a run.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from aiohttp import ClientError, ClientSession, ClientTimeout, web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.client import SimControl, VoiceClient, b64  # noqa: E402

MAX_DELIVERIES = 7  # the first push and six re-pushes


# -- the SP: a separate process ---------------------------------------------------------------
def run_sp(port: int, seed: int, fail: float, reset: float, stall: float, stall_seconds: float) -> None:
    """Serve /fee (flaky) and /status (always 200); ``GET /report`` gives deliveries and acceptances per bill."""
    draw = random.Random(seed)
    deliveries: Counter[str] = Counter()
    accepted: Counter[str] = Counter()

    async def fee(request: web.Request) -> web.StreamResponse:
        sids = [b["sessionId"] for b in json.loads(await request.read())["feeLst"]]
        deliveries.update(sids)
        luck = draw.random()
        if luck < reset:
            assert request.transport is not None
            request.transport.abort()
            raise asyncio.CancelledError  # aiohttp closes quietly: the platform sees a dropped connection
        if luck < reset + stall:
            await asyncio.sleep(stall_seconds)  # past the push timeout: a failed attempt for the platform
            return web.json_response({"resultcode": "1"}, status=500)
        if luck < reset + stall + fail:
            return web.json_response({"resultcode": "1", "resultdesc": "try later"}, status=500)
        accepted.update(sids)
        return web.json_response({"resultcode": "0", "resultdesc": "ok"})

    async def status(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"resultcode": "0"})

    async def report(request: web.Request) -> web.Response:
        return web.json_response({"deliveries": deliveries, "accepted": accepted})

    app = web.Application()
    app.router.add_post("/fee", fee)
    app.router.add_post("/status", status)
    app.router.add_get("/report", report)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# -- the run ------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Outcome:
    """What one run saw."""

    placed: int
    once: int
    more: int
    given_up: int
    lost: int
    most: int
    unknown: int  # bills of calls whose answer never reached us (placed, then the process died)
    kills: int
    seconds: float
    tracebacks: int

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.most <= MAX_DELIVERIES and self.tracebacks == 0

    def line(self, n: int) -> str:
        return (f"run {n}: {self.placed} calls, {self.kills} SIGKILLs, {self.seconds:.0f} s | accepted exactly "
                f"once {self.once}, more than once {self.more}, given up by the rules {self.given_up}, "
                f"lost {self.lost}, most deliveries of one bill {self.most} | bills of unanswered requests "
                f"{self.unknown}, tracebacks {self.tracebacks} | {'OK' if self.ok else 'BROKEN PROMISE'}")


class Run:
    """One soak run: the two processes, the callers, the killer."""

    def __init__(self, args: argparse.Namespace, seed: int, work: Path) -> None:
        self.args = args
        self.draw = random.Random(seed)
        self.seed = seed
        self.work = work
        self.sim_port, self.sp_port = _free_port(), _free_port()
        self.base = f"http://127.0.0.1:{self.sim_port}"
        self.sp = f"http://127.0.0.1:{self.sp_port}"
        self.log = work / "serve.log"
        self.sim: asyncio.subprocess.Process | None = None
        self.placed: dict[str, int] = {}
        self.kills = 0

    async def _start_sim(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VOICESIM_")}
        with self.log.open("ab") as err:
            self.sim = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "simulator", "serve", "--port", str(self.sim_port),
                "--data-dir", str(self.work / "data"), "--speed", str(self.args.speed),
                "--push-timeout", str(self.args.push_timeout), cwd=ROOT, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=err)
        async with SimControl(self.base) as control:
            deadline = time.monotonic() + 30
            while True:
                try:
                    await control.health()
                    return
                except (OSError, ClientError):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the simulator did not start; see {self.log}") from None
                    await asyncio.sleep(0.05)

    async def _caller(self, todo: asyncio.Queue[int], client: VoiceClient) -> None:
        body = {"displayNbr": "+8675528000002", "languageType": 2, "preTone": "pretone.wav", "verifyCode": "1234",
                "statusUrl": b64(self.sp + "/status"), "feeUrl": b64(self.sp + "/fee")}
        while not todo.empty():
            i = todo.get_nowait()
            try:
                reply = await asyncio.wait_for(client.call_verify(**body, calleeNbr=f"+86138{i:08d}"), 10)
            except (OSError, ClientError, TimeoutError):  # the process died under us: ask again later
                todo.put_nowait(i)
                await asyncio.sleep(0.1)
                continue
            if reply.get("resultcode") == "0":
                self.placed[reply["sessionId"]] = i
            else:
                raise RuntimeError(f"call {i} refused: {reply.body}")

    async def _killer(self, stop: asyncio.Event) -> None:
        while self.kills < self.args.kills and not stop.is_set():
            await asyncio.sleep(self.draw.uniform(0.5, self.args.kill_gap))
            assert self.sim is not None
            self.sim.send_signal(signal.SIGKILL)
            await self.sim.wait()
            self.kills += 1
            await asyncio.sleep(self.draw.uniform(0.0, 0.5))
            await self._start_sim()

    async def _settled(self, control: SimControl) -> bool:
        health = await control.health()
        return bool(health["owedBillMessages"] == 0 and health["liveCalls"] == 0 and health["journal"]["backlog"] == 0)

    async def run(self) -> Outcome:
        start = time.monotonic()
        a = self.args
        sp = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--sp-port", str(self.sp_port), "--seed", str(self.seed),
            "--fail", str(a.fail), "--reset", str(a.reset), "--stall", str(a.stall),
            "--stall-seconds", str(a.push_timeout * 1.5), stdout=asyncio.subprocess.DEVNULL)
        try:
            await self._start_sim()
            todo: asyncio.Queue[int] = asyncio.Queue()
            for i in range(a.calls):
                todo.put_nowait(i)
            stop = asyncio.Event()
            killer = asyncio.create_task(self._killer(stop))
            async with VoiceClient(self.base) as client:
                await asyncio.wait_for(asyncio.gather(*(self._caller(todo, client) for _ in range(a.concurrency))),
                                       a.timeout)
            async with SimControl(self.base) as control:
                while True:  # until the kills are done and nothing is owed, twice in a row
                    remaining = a.timeout - (time.monotonic() - start)
                    if remaining <= 0:
                        break
                    try:
                        if killer.done() and await self._settled(control):
                            await asyncio.sleep(1)
                            if await self._settled(control):
                                break
                    except (OSError, ClientError):
                        pass  # restarting
                    await asyncio.sleep(0.5)
                stop.set()
                await killer
                given_up = {sid for push in await control.deliveries(kind="bill", state="given_up")
                            for sid in push["sessionIds"]}
            async with ClientSession(timeout=ClientTimeout(total=30)) as session:
                async with session.get(self.sp + "/report") as resp:
                    report = await resp.json()
        finally:
            for proc in (self.sim, sp):
                if proc is not None and proc.returncode is None:
                    proc.terminate()
                    await proc.wait()
        return self._outcome(report, given_up, time.monotonic() - start)

    def _outcome(self, report: dict[str, dict[str, int]], given_up: set[str], seconds: float) -> Outcome:
        deliveries, accepted = Counter(report["deliveries"]), Counter(report["accepted"])
        placed = set(self.placed)
        refused_to_the_end = {s for s in placed if not accepted[s]}
        by_rules = {s for s in refused_to_the_end if s in given_up and deliveries[s] <= MAX_DELIVERIES}
        return Outcome(
            placed=len(placed), once=sum(1 for s in placed if accepted[s] == 1),
            more=sum(1 for s in placed if accepted[s] > 1), given_up=len(by_rules),
            lost=len(refused_to_the_end - by_rules), most=max(deliveries.values(), default=0),
            unknown=len(set(deliveries) - placed), kills=self.kills, seconds=seconds,
            tracebacks=self.log.read_text(errors="replace").count("Traceback"))


async def soak(args: argparse.Namespace) -> int:
    broken = 0
    for n in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="voicesim-soak-") as tmp:
            outcome = await Run(args, args.seed + n, Path(tmp)).run()
        print(outcome.line(n), flush=True)
        broken += not outcome.ok
    return 1 if broken else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000, help="calls placed per run (default 2000)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs and restarts per run (default 3)")
    parser.add_argument("--kill-gap", type=float, default=6.0, help="most real seconds between kills (default 6)")
    parser.add_argument("--concurrency", type=int, default=16, help="calls in flight at once (default 16)")
    parser.add_argument("--speed", type=float, default=3600.0)
    parser.add_argument("--push-timeout", type=float, default=2.0)
    parser.add_argument("--fail", type=float, default=0.35, help="share of bill pushes the SP refuses (500)")
    parser.add_argument("--reset", type=float, default=0.1, help="share it answers by resetting the connection")
    parser.add_argument("--stall", type=float, default=0.05, help="share it stalls past the push timeout")
    parser.add_argument("--timeout", type=float, default=900.0, help="real seconds a run may take at most")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sp-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stall-seconds", type=float, default=3.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sp_port is not None:
        run_sp(args.sp_port, args.seed, args.fail, args.reset, args.stall, args.stall_seconds)
        return 0
    if not 0 < args.calls <= 100_000 or not 0 <= args.kills <= 100 or not 0 < args.timeout <= 7200:
        parser.error("--calls 1-100000, --kills 0-100, --timeout up to 7200 s: a soak is bounded")
    return asyncio.run(soak(args))


if __name__ == "__main__":
    sys.exit(main())
