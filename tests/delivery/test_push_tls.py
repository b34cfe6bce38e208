"""HTTPS out: pushes to an ``https://`` SP verify its certificate (the system store plus ``push_ca_file``);
an untrusted one is a failed attempt with a clear error, and its bill is re-pushed by the rules."""
from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest
from aiohttp import web

from simulator import tls
from simulator.testing import Receiver

EVENTS = ["callout", "alerting", "answer", "disconnect"]


@pytest.fixture
def sp_tls(tmp_path: Path) -> tls.ServerTLS:
    """The SP's own certificate, from its own CA (made here, as an SP team's would be)."""
    return tls.self_signed(("127.0.0.1",), str(tmp_path / "sp"))


@pytest.fixture
async def https_receiver(sp_tls: tls.ServerTLS) -> AsyncIterator[Receiver]:
    receiver = Receiver()
    runner = web.AppRunner(receiver.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=sp_tls.context).start()
    receiver.base_url = f"https://127.0.0.1:{runner.addresses[0][1]}"
    yield receiver
    await runner.cleanup()


async def test_pushes_to_an_https_sp_whose_ca_is_given_are_delivered(make_sim, https_receiver, sp_tls):
    sim = await make_sim(push_ca_file=str(sp_tls.ca_file))
    https_receiver.clock = sim.clock
    reply = await sim.client.call_verify(**sim.verify_request(statusUrl=https_receiver.b64("/status"),
                                                              feeUrl=https_receiver.b64("/fee")))
    sid = reply["sessionId"]
    await sim.advance(60)

    assert https_receiver.event_types(sid) == EVENTS
    assert https_receiver.bill(sid) is not None
    pushes = (await sim.control("GET", "deliveries", sessionId=sid))["deliveries"]
    assert [p["state"] for p in pushes] == ["delivered"] * 5
    assert all(p["url"].startswith("https://127.0.0.1:") for p in pushes)


async def test_an_sp_certificate_nobody_vouched_for_is_a_failed_attempt_and_the_bill_is_re_pushed(
        make_sim, https_receiver):
    sim = await make_sim()  # no push_ca_file: the system store does not know the SP's CA
    reply = await sim.client.call_verify(**sim.verify_request(statusUrl=https_receiver.b64("/status"),
                                                              feeUrl=https_receiver.b64("/fee")))
    sid = reply["sessionId"]
    await sim.advance(60)

    assert https_receiver.got == []  # nothing got through the handshake
    status = (await sim.control("GET", "deliveries", kind="status", sessionId=sid))["deliveries"]
    assert [p["state"] for p in status] == ["failed"] * 4
    error = status[0]["attempts"][0]["error"]
    assert error.startswith("TLS certificate not trusted: ") and "--push-ca-file" in error, error
    assert status[0]["attempts"][0]["status"] is None

    (bill,) = (await sim.control("GET", "deliveries", kind="bill", sessionId=sid))["deliveries"]
    assert bill["state"] == "retrying" and bill["attempts"][0]["error"].startswith("TLS certificate not trusted")
    assert bill["nextAttempt"] == "2026-01-01 01:00:20"  # the usual hour later
    await sim.advance(3600)
    (bill,) = (await sim.control("GET", "deliveries", kind="bill", sessionId=sid))["deliveries"]
    assert len(bill["attempts"]) == 2 and bill["state"] == "retrying"
    assert bill["attempts"][1]["error"] == bill["attempts"][0]["error"]

    # The report names the handshake, not an endpoint that was down; metrics count it apart too.
    report = (await sim.control("GET", "report")).body
    ids = {f["id"] for f in report["findings"]}
    assert {"push.tls.status", "push.tls.bill"} <= ids and not any("unreachable" in i for i in ids), ids
    metrics = (await sim.control("GET", "metrics")).body["raw"]
    assert 'voicesim_push_attempts_total{kind="status",outcome="tls"} 4' in metrics
