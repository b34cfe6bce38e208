"""Restart recovery in process, case by case: a first simulator writes its data dir and "dies"
(its store is closed and it is never advanced again); a second one starts on the same dir."""
from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Callable

import pytest

from simulator import Platform, Settings, create_app
from simulator.client import SimControl, VoiceClient
from simulator.clock import Clock
from simulator.control import JOURNAL
from simulator.pytest_plugin import START


class Run:
    """One simulator process, as far as the data dir can tell."""

    def __init__(self, app: Any, base: str, settings: Settings) -> None:
        self.app = app
        self.base = base
        self.client = VoiceClient(base, settings.app_key, settings.app_secret)
        self.control = SimControl(base)
        self.journal = app[JOURNAL]

    def crash(self) -> None:
        """Everything recorded so far is on disk; from now on this run does nothing."""
        self.journal.store.close()


@pytest.fixture
async def start_run(aiohttp_server: Any,
                    tmp_path: Any) -> AsyncIterator[Callable[..., Awaitable[tuple[Run, Platform]]]]:
    """Starts runs on one data dir (``await start_run(start, **overrides)``); closes their clients at teardown."""
    runs: list[Run] = []

    async def start(start: float = START, **overrides: Any) -> tuple[Run, Platform]:
        settings = Settings(manual_clock=True, push_timeout=2.0, data_dir=str(tmp_path / "data"), **overrides)
        platform = Platform(settings, Clock(manual=True, start=start))
        app = create_app(platform=platform)
        server = await aiohttp_server(app, host="127.0.0.1")
        runs.append(Run(app, str(server.make_url("")).rstrip("/"), settings))
        return runs[-1], platform

    yield start
    for run in runs:
        await run.client.close()
        await run.control.close()


async def test_a_bill_waiting_to_merge_at_the_crash_is_sent_after_restart(start_run, receiver):
    first, p1 = await start_run()
    body = {"displayNbr": "+8675528000002", "calleeNbr": "+8613800000000", "languageType": 2,
            "preTone": "pretone.wav", "verifyCode": "1234", "feeUrl": receiver.b64("/fee")}
    sid = (await first.client.call_verify(**body))["sessionId"]
    await p1.clock.advance(16.5)  # ended at 1 + 3 + 2 + 10.2 s; its bill waits for second 17 to merge
    assert p1.engine.live == {} and receiver.on("/fee") == []
    first.crash()

    second, p2 = await start_run(start=START - 3600)  # the clock resumes, not restarts
    assert p2.clock.now() >= p1.clock.now()
    await p2.clock.advance(0)
    (message,) = receiver.on("/fee")
    assert [b["sessionId"] for b in message.body["feeLst"]] == [sid]
    assert (await second.control.health())["recovered"] == {"callsEnded": 0, "billMessagesOwed": 0,
                                                             "billsNeverSent": 1}
    await p2.clock.advance(7200)
    assert len(receiver.on("/fee")) == 1


async def test_a_live_call_is_ended_as_an_abnormal_hangup(start_run, receiver):
    first, p1 = await start_run()
    body = {"displayNbr": "+8675528000002", "calleeNbr": "+8613800000000", "languageType": 2,
            "preTone": "pretone.wav", "verifyCode": "1234", "userData": "ud",
            "statusUrl": receiver.b64("/status"), "feeUrl": receiver.b64("/fee")}
    sid = (await first.client.call_verify(**body))["sessionId"]
    await p1.clock.advance(5)  # answered
    first.crash()

    second, p2 = await start_run()
    await p2.clock.advance(5)
    assert receiver.event_types(sid) == ["callout", "alerting", "answer", "disconnect"]
    info = receiver.events(session_id=sid)[-1][1]
    assert info["stateCode"] == 8000 and info["stateDesc"] == "Internal error." and info["userData"] == "ud"
    bill = receiver.bill(sid)
    assert bill["ulFailReason"] == 516 and bill["callOutAnswerTime"] and "callOutUnaswRsn" not in bill
    assert bill["icid"] == "CAE-000000000001" and bill["userData"] == "ud"
    assert (await second.control.ports())["live"] == 0
    calls = await second.control.calls()
    assert [(c["sessionId"], c["state"], c["stateCode"]) for c in calls] == [(sid, "ended", 8000)]


async def test_the_re_push_limit_counts_attempts_made_before_the_restart(start_run, receiver):
    receiver.answer_always("/fee", 500)
    first, p1 = await start_run()
    body = {"displayNbr": "+8675528000002", "calleeNbr": "+8613800000000", "languageType": 2,
            "preTone": "pretone.wav", "verifyCode": "1234", "feeUrl": receiver.b64("/fee")}
    await first.client.call_verify(**body)
    await p1.clock.advance(60 + 4 * 3600)  # the first push and 4 re-pushes failed
    assert len(receiver.on("/fee")) == 5
    first.crash()

    second, p2 = await start_run()
    await p2.clock.advance(10 * 3600)
    assert len(receiver.on("/fee")) == 7  # 2 more re-pushes make 6, then it is given up
    (push,) = await second.control.deliveries(kind="bill")
    assert push["state"] == "given_up" and len(push["attempts"]) == 7


async def test_apps_registered_at_run_time_survive_a_restart(start_run):
    first, _ = await start_run()
    await first.control.register_app("laterKey", "laterSecret", displayNumbers=["+8675528000009"])
    first.crash()
    second, _ = await start_run()
    async with VoiceClient(second.base, "laterKey", "laterSecret") as client:
        reply = await client.call_verify(displayNbr="+8675528000009", calleeNbr="+8613800000000", languageType=2,
                                         preTone="pretone.wav", verifyCode="1234")
    assert reply["resultcode"] == "0"


async def test_reset_also_empties_the_data_dir(start_run, receiver):
    first, p1 = await start_run()
    await first.client.call_verify(displayNbr="+8675528000002", calleeNbr="+8613800000000", languageType=2,
                                   preTone="pretone.wav", verifyCode="1234")
    await p1.clock.advance(2)
    await first.control.reset()
    first.crash()
    second, _ = await start_run()
    assert await second.control.calls() == [] and await second.control.requests() == []
    assert (await second.control.health())["recovered"]["callsEnded"] == 0


async def test_a_live_callback_keeps_its_forwarding_leg_in_the_bill(start_run, receiver):
    first, p1 = await start_run(display_numbers=("+8675528000002", "+8675528000003"))
    reply = await first.client.click_to_call(
        displayNbr="+8675528000002", callerNbr="+8613800000001", displayCalleeNbr="+8675528000003",
        calleeNbr="+8613900000002", partyTypeRequiredInDisconnect="true",
        statusUrl=receiver.b64("/status"), feeUrl=receiver.b64("/fee"))
    sid = reply["sessionId"]
    await p1.clock.advance(10)  # A and B talk
    first.crash()

    _, p2 = await start_run(display_numbers=("+8675528000002", "+8675528000003"))
    await p2.clock.advance(5)
    disconnect = receiver.events(session_id=sid)[-1][1]
    assert disconnect["stateCode"] == 8000 and disconnect["partyType"] == 1
    bill = receiver.bill(sid)
    assert bill["serviceType"] == "002" and bill["ulFailReason"] == 516
    assert (bill["fwdDisplayNum"], bill["fwdDstNum"]) == ("+8675528000003", "+8613900000002")
    assert bill["fwdAnswerTime"] and bill["callOutAnswerTime"]


async def test_a_signing_diagnosis_survives_the_restart(start_run):
    first, _ = await start_run()
    headers = first.client.headers()
    headers["X-AKSK"] = headers["X-AKSK"].replace("Nonce=", "nonce=")
    body = {"displayNbr": "+8675528000002", "calleeNbr": "+8613800000000", "languageType": 2,
            "preTone": "pretone.wav", "verifyCode": "1234"}
    assert (await first.client.post("/rest/httpsessions/callVerify/v1.0", body, headers)).status == 400
    first.crash()

    second, _ = await start_run()
    [entry] = await second.control.requests()
    assert entry["resultcode"] == "1023035"
    assert entry["diagnosis"]["mistake"] == "header_attribute" and "nonce" in entry["diagnosis"]["detail"]
    report = (await second.control.request("GET", "report")).body
    assert [f["id"] for f in report["findings"]] == ["signature.header_attribute"]
