"""Helpers our own tests share (not shipped: the package has no test-only code)."""
from __future__ import annotations

import asyncio
import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent  # the repository's root: README, docs, scenarios, Dockerfile


def stop_process(proc: subprocess.Popen[Any], grace: float = 10.0) -> None:
    """End a server a test started: terminate, wait ``grace`` seconds, then kill.

    A test must never hang on a child that ignores SIGTERM, nor leave one running.
    """
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def serve(port: int, log: Path, *flags: str) -> asyncio.subprocess.Process:
    """``python -m simulator serve --port PORT FLAGS...`` as a child process, its stderr appended to ``log``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOICESIM_")}
    env["PYTHONUNBUFFERED"] = "1"
    with log.open("ab") as err:  # the child has its own copy of the descriptor once started
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "simulator", "serve", "--port", str(port), *flags,
            stdout=asyncio.subprocess.DEVNULL, stderr=err, env=env)


async def end(proc: asyncio.subprocess.Process) -> None:
    """Stop a child ``serve`` started: terminate, then kill after 10 s."""
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def until(what: str, check: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Poll ``check`` (plain or async) every 50 ms until it returns something true; fail after ``timeout``
    real seconds (waiting on another process is real time by nature)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check() if asyncio.iscoroutinefunction(check) else check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def health_of(control: Any) -> Callable[[], Any]:
    """A check for ``until``: the simulator's health, or None while it does not answer."""
    async def check() -> Any:
        try:
            return await control.health()
        except OSError:
            return None
    return check


def dockerfile_healthcheck() -> list[str]:
    """The Dockerfile's HEALTHCHECK command, to run with this Python."""
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    (line,) = [ln for ln in text.splitlines() if ln.startswith("HEALTHCHECK ")]
    argv = shlex.split(line.split(" CMD ", 1)[1])
    assert argv[:2] == ["python", "-c"]
    return [sys.executable] + argv[1:]


# A callback's numbers: the app's two display numbers, A (the caller) and B (the callee).
DISPLAY, DISPLAY_B = "+8675528000002", "+8675528000003"
A, B = "+8613800000001", "+8613900000002"


def _body(sim: Any, base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    body = dict(base, statusUrl=sim.receiver.b64("/status"), feeUrl=sim.receiver.b64("/fee"))
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def callback_body(sim: Any, **overrides: Any) -> dict[str, Any]:
    """A click2Call request from A to B, pushes to the test's receiver; a field given as None is left out."""
    return _body(sim, {"displayNbr": DISPLAY, "callerNbr": A, "displayCalleeNbr": DISPLAY_B, "calleeNbr": B},
                 overrides)


def notify_body(sim: Any, *plays: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A callnotify request playing ``plays`` (default: one audio file); a field given as None is left out."""
    return _body(sim, {"displayNbr": DISPLAY, "calleeNbr": "+8613800000000",
                       "playInfoList": list(plays) or [{"notifyVoice": "notifyvoice.wav"}]}, overrides)


async def call_before(sim: Any) -> str:
    """Place a verification-code call pushing to the test's receiver, before a hostile request; its id."""
    reply = await sim.client.call_verify(**sim.verify_request(userData="placed-before"))
    assert reply.status == 200, reply.body
    return str(reply["sessionId"])


async def assert_unharmed(sim: Any, session_id: str) -> None:
    """After a hostile request: health answers within a second, and the call placed before it still
    reports every event and its bill to the SP."""
    import aiohttp

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1.0)) as s:
        async with s.get(sim.base_url + "/_sim/health") as resp:
            assert resp.status == 200 and (await resp.json())["status"] == "ok"
    await sim.advance(60)
    assert sim.receiver.event_types(session_id) == ["callout", "alerting", "answer", "disconnect"]
    bill = sim.receiver.bill(session_id)
    assert bill is not None and bill["userData"] == "placed-before"
