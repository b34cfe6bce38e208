"""Helpers our own tests share (not shipped: the package has no test-only code)."""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

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
