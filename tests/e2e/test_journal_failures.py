"""The data dir refuses writes (another process holds the file locked): the simulator says so and keeps
serving, owes nothing less, and writes everything once the file is free; a SIGKILL then loses nothing."""
from __future__ import annotations

import signal
import sqlite3
from collections import Counter

from simulator.client import SimControl, VoiceClient, b64
from simulator.journal import FILE_NAME
from simulator.testing import Receiver
from tests.control.test_metrics import parse, sample
from tests.helpers import end, free_port, health_of, serve, until

CALLS = 5


async def test_a_locked_data_dir_degrades_health_and_metrics_and_loses_nothing(aiohttp_server, tmp_path):
    receiver = Receiver()
    server = await aiohttp_server(receiver.app(), host="127.0.0.1")
    receiver.base_url = str(server.make_url("")).rstrip("/")
    port, data, log = free_port(), tmp_path / "data", tmp_path / "serve.log"
    flags = ("--data-dir", str(data), "--speed", "20")
    proc = await serve(port, log, *flags)
    base = f"http://127.0.0.1:{port}"
    control, client = SimControl(base), VoiceClient(base)
    body = {"displayNbr": "+8675528000002", "languageType": 2, "preTone": "pretone.wav", "verifyCode": "1234",
            "statusUrl": b64(receiver.url("/status")), "feeUrl": b64(receiver.url("/fee"))}
    lock = None
    try:
        await until("the simulator to start", health_of(control))
        lock = sqlite3.connect(data / FILE_NAME, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")  # another process holds the file: every write waits, then fails

        sessions = []
        for i in range(CALLS):
            reply = await client.call_verify(**body, calleeNbr=f"+86138000{i:05d}")
            assert reply["resultcode"] == "0", reply.body
            sessions.append(reply["sessionId"])

        async def degraded():
            health = await control.health()
            return health if health["status"] == "degraded" else None
        health = await until("health to say degraded", degraded)
        journal = health["journal"]
        assert journal["failing"] is True and journal["writeErrors"] >= 1 and journal["entriesLost"] == 0
        assert journal["error"].startswith("the data dir refuses writes, "), journal
        assert "OperationalError: database is locked" in journal["error"]
        samples = parse(await control.metrics())
        assert sample(samples, "voicesim_journal_degraded") == 1
        assert sample(samples, "voicesim_journal_write_errors_total") >= 1
        assert sample(samples, "voicesim_journal_last_error_timestamp_seconds") > 1.7e9
        assert sample(samples, "voicesim_journal_entries_lost_total") == 0

        # still serving: calls are placed and their bills delivered while the disk refuses
        reply = await client.call_verify(**body, calleeNbr="+8613900000000")
        assert reply["resultcode"] == "0"
        sessions.append(reply["sessionId"])
        await until("every bill delivered", lambda: set(sessions) <= {b["sessionId"] for b in receiver.bills()})

        lock.rollback()
        lock.close()
        lock = None

        async def caught_up():
            health = await control.health()
            return health["status"] == "ok" and health["journal"]["backlog"] == 0
        await until("the journal to catch up", caught_up)
        health = await control.health()
        assert health["journal"]["error"] is None and health["journal"]["entriesLost"] == 0
        assert sample(parse(await control.metrics()), "voicesim_journal_degraded") == 0

        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        proc = await serve(port, log, *flags)
        await until("the simulator to restart", health_of(control))
        calls = await control.calls()
        assert [c["sessionId"] for c in calls] == sessions
        assert all(c["state"] == "ended" and c["stateCode"] == 0 for c in calls)  # all ended before the kill
        assert (await control.health())["owedBillMessages"] == 0
        assert Counter(b["sessionId"] for b in receiver.bills()) == Counter(sessions)  # each bill once
    finally:
        if lock is not None:
            lock.close()
        await client.close()
        await control.close()
        await end(proc)
    assert "Traceback" not in log.read_text(), log.read_text()
