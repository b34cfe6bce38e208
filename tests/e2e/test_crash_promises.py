"""Promises that hold across a SIGKILL: an attempt in flight at the kill counts toward the six re-pushes
(an SP never sees more than seven deliveries of one bill), and a nonce used before the kill is still
refused after the restart. Real processes, so the waits are real time."""
from __future__ import annotations

import signal

from simulator.client import SimControl, VoiceClient, b64
from simulator.journal.store import INTERRUPTED
from simulator.testing import Answer, Receiver
from tests.control.test_metrics import parse, sample
from tests.helpers import end, free_port, health_of, serve, until

VERIFY = "/rest/httpsessions/callVerify/v1.0"
BODY = {"displayNbr": "+8675528000002", "calleeNbr": "+8613800000000", "languageType": 2,
        "preTone": "pretone.wav", "verifyCode": "1234"}


async def _receiver(aiohttp_server) -> Receiver:
    receiver = Receiver()
    server = await aiohttp_server(receiver.app(), host="127.0.0.1")
    receiver.base_url = str(server.make_url("")).rstrip("/")
    return receiver


async def test_an_attempt_in_flight_at_a_sigkill_counts_so_the_sp_never_sees_an_eighth(aiohttp_server, tmp_path):
    receiver = await _receiver(aiohttp_server)
    # six refusals, then the seventh (the last the rules allow) is still unanswered when the process dies
    receiver.answer("/fee", *[500] * 6, Answer(500, delay=3))
    receiver.answer_always("/fee", 500)
    port, log = free_port(), tmp_path / "serve.log"
    # 20 simulated seconds a real second: re-pushes every second, the push timeout far away
    flags = ("--data-dir", str(tmp_path / "data"), "--speed", "20", "--bill-retry-interval", "20",
             "--push-timeout", "30")
    proc = await serve(port, log, *flags)
    base = f"http://127.0.0.1:{port}"
    control, client = SimControl(base), VoiceClient(base)
    try:
        await until("the simulator to start", health_of(control))
        sid = (await client.call_verify(**BODY, feeUrl=b64(receiver.url("/fee"))))["sessionId"]
        await until("the seventh delivery to arrive", lambda: len(receiver.on("/fee")) == 7)
        proc.send_signal(signal.SIGKILL)
        await proc.wait()

        proc = await serve(port, log, *flags)
        health = await until("the simulator to restart", health_of(control))
        assert health["owedBillMessages"] == 0 and health["recovered"]["billMessagesOwed"] == 0
        (push,) = await control.deliveries(kind="bill")
        assert push["sessionIds"] == [sid] and push["state"] == "given_up"
        assert [a["status"] for a in push["attempts"]] == [500] * 6 + [None]
        assert push["attempts"][-1]["error"] == INTERRUPTED
        assert sample(parse(await control.metrics()), "voicesim_bill_messages_given_up_total") == 1
        # nothing is owed, so nothing more can come: the SP saw the bill seven times, not eight
        assert len(receiver.on("/fee")) == 7
        assert (await client.call_verify(**BODY))["resultcode"] == "0"  # and the simulator serves on

        # Given up is on disk now: a later start neither adopts the bill again nor counts it again.
        async def on_disk() -> bool:
            return (await control.health())["journal"]["backlog"] == 0

        await until("the give-up to be on disk", on_disk)
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        proc = await serve(port, log, *flags)
        await until("the simulator to restart again", health_of(control))
        (push,) = [p for p in await control.deliveries(kind="bill") if p["sessionIds"] == [sid]]
        assert push["state"] == "given_up"
        assert sample(parse(await control.metrics()), "voicesim_bill_messages_given_up_total") == 0
        assert len(receiver.on("/fee")) == 7
    finally:
        await client.close()
        await control.close()
        await end(proc)
    assert "Traceback" not in log.read_text(), log.read_text()


async def test_a_nonce_used_before_a_sigkill_is_still_refused_after_the_restart(tmp_path):
    port, log = free_port(), tmp_path / "serve.log"
    flags = ("--data-dir", str(tmp_path / "data"))
    proc = await serve(port, log, *flags)
    base = f"http://127.0.0.1:{port}"
    control, client = SimControl(base), VoiceClient(base)
    try:
        await until("the simulator to start", health_of(control))
        signed = client.headers()  # one nonce, used twice
        assert (await client.post(VERIFY, BODY, headers=signed))["resultcode"] == "0"
        again = await client.post(VERIFY, BODY, headers=signed)
        assert again.status == 401 and again["resultcode"] == "1010010"
        proc.send_signal(signal.SIGKILL)  # right after the answer: the nonce was on disk before it left
        await proc.wait()

        proc = await serve(port, log, *flags)
        await until("the simulator to restart", health_of(control))
        replay = await client.post(VERIFY, BODY, headers=signed)
        assert replay.status == 401 and replay.body == {"resultcode": "1010010",
                                                        "resultdesc": "Invalid digest. Nonce already used"}
        assert (await client.call_verify(**BODY))["resultcode"] == "0"  # a fresh nonce is fine
    finally:
        await client.close()
        await control.close()
        await end(proc)
    assert "Traceback" not in log.read_text(), log.read_text()
