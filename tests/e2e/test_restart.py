"""A data dir outlives the process: SIGKILL mid-run, restart, and every owed bill still arrives once.

The simulator runs as a real subprocess (``python -m simulator serve``) at a high speed with a
short retry interval, so the test takes a few real seconds. Waiting here is real time by nature:
we wait for another process.
"""
from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

from simulator.client import SimControl, VoiceClient, b64
from simulator.testing import Receiver
from tests.helpers import end, free_port, health_of, serve, until

SPEED = 20  # simulated seconds per real second
RETRY = 20  # simulated seconds between bill re-pushes: one real second
CALLS = 50
LONG_CALLS = 3  # still live at the kill


async def _start(data_dir: Path, port: int, log: Path) -> asyncio.subprocess.Process:
    return await serve(port, log, "--data-dir", str(data_dir), "--speed", str(SPEED),
                       "--bill-retry-interval", str(RETRY), "--push-timeout", "2")


def _receptions(receiver: Receiver) -> Counter[str]:
    """How many bill messages carrying each session reached the SP."""
    return Counter(b["sessionId"] for b in receiver.bills())


async def test_sigkill_then_restart_every_owed_bill_arrives_once_with_attempts_continued(aiohttp_server, tmp_path):
    receiver = Receiver()
    server = await aiohttp_server(receiver.app(), host="127.0.0.1")
    receiver.base_url = str(server.make_url("")).rstrip("/")
    receiver.answer_always("/fee", 500)  # the SP's bill endpoint is down

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    proc = await _start(tmp_path / "data", port, log)
    control = SimControl(base)
    client = VoiceClient(base)
    try:
        await until("the simulator to start", health_of(control))
        body = {"displayNbr": "+8675528000002", "languageType": 2, "preTone": "pretone.wav", "verifyCode": "1234",
                "statusUrl": b64(receiver.url("/status")), "feeUrl": b64(receiver.url("/fee"))}
        sessions = []
        for i in range(CALLS):
            reply = await client.call_verify(**body, calleeNbr=f"+86138000{i:05d}")
            assert reply["resultcode"] == "0", reply.body
            sessions.append(reply["sessionId"])
        await until("a first failed attempt of every bill",
                     lambda: all(_receptions(receiver)[s] >= 1 for s in sessions))
        cut = []
        # about 58 simulated seconds each (ring 4 s, pre-tone 2 s, 8 digits spoken 9 times: 52.2 s),
        # nearly 3 real seconds: surely live when the process dies
        for i in range(LONG_CALLS):
            reply = await client.call_verify(**dict(body, verifyCode="12345678"), calleeNbr=f"+86139000{i:05d}",
                                             times=9)
            cut.append(reply["sessionId"])
        await until("a second failed attempt of every bill",
                     lambda: all(_receptions(receiver)[s] >= 2 for s in sessions))

        async def settled() -> bool:
            health = await control.health()
            return health["journal"]["backlog"] == 0 and health["liveCalls"] == LONG_CALLS
        await until("the journal to reach the disk", settled)
        proc.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(proc.wait(), 10) == -signal.SIGKILL
        before = _receptions(receiver)
        assert all(receiver.event_types(s)[-1] != "disconnect" for s in cut)
        assert all(r.accepted is False for r in receiver.on("/fee"))

        receiver.answer_always("/fee", None)  # the SP is back
        proc = await _start(tmp_path / "data", port, log)
        await until("the simulator to restart", health_of(control))

        everyone = sessions + cut
        await until("every bill accepted",
                     lambda: set(everyone) <= {b["sessionId"] for b in receiver.bills(accepted_only=True)})

        accepted = Counter(b["sessionId"] for b in receiver.bills(accepted_only=True))
        assert set(accepted) == set(everyone) and set(accepted.values()) == {1}, accepted

        health = await control.health()
        assert health["recovered"]["callsEnded"] == LONG_CALLS
        assert health["recovered"]["billMessagesOwed"] >= 1
        after = _receptions(receiver)
        deliveries = await control.deliveries(kind="bill")
        for sid in sessions:
            (push,) = [p for p in deliveries if sid in p["sessionIds"]]
            attempts = push["attempts"]
            # every attempt before the kill is still counted, the accepted one came after it
            assert len(attempts) == after[sid] > before[sid] >= 2
            assert [a["ok"] for a in attempts] == [False] * (len(attempts) - 1) + [True]
            assert len(attempts) <= 7  # the first push and at most 6 re-pushes

        for sid in cut:  # ended by the platform itself: disconnect 8000 and an abnormal bill
            events = receiver.events(session_id=sid)
            assert events[-1][0] == "disconnect" and events[-1][1]["stateCode"] == 8000
            bill = next(b for b in receiver.bills(accepted_only=True) if b["sessionId"] == sid)
            assert bill["ulFailReason"] == 516 and "callOutAnswerTime" in bill
            detail = await control.call(sid)
            assert detail["state"] == "ended" and detail["stateCode"] == 8000
            assert [e["eventType"] for e in detail["timeline"]] == ["callout", "alerting", "answer", "disconnect"]

        # calls of the first run are still in the journal, and new calls get fresh numbers
        assert len(await control.calls()) == CALLS + LONG_CALLS
        reply = await client.call_verify(**body, calleeNbr="+8613700000000")
        assert reply["sessionId"] not in everyone
        new_seq = int(reply["sessionId"].split("_")[2])
        assert new_seq == CALLS + LONG_CALLS + 1
    finally:
        await client.close()
        await control.close()
        await end(proc)
    assert "Traceback" not in log.read_text(), log.read_text()
