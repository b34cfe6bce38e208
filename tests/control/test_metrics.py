"""/_sim/metrics: valid Prometheus text whose numbers follow what the simulator does."""
from __future__ import annotations

import re

import aiohttp

LINE = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+]+)')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    """Samples by (name, labels); every line must be a comment or a well-formed sample."""
    out = {}
    typed = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            name, kind = line.split()[2:4]
            assert kind in ("counter", "gauge"), line
            typed.add(name)
            continue
        if line.startswith("# HELP "):
            continue
        m = LINE.fullmatch(line)
        assert m, f"not a Prometheus sample: {line!r}"
        name, labels, value = m.groups()
        assert name in typed, f"{name} has no # TYPE line"
        out[(name, frozenset(LABEL.findall(labels or "")))] = float(value)
    return out


def sample(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_text_parses_and_counters_move_with_calls(sim):
    async def metrics():
        reply = await sim.control_api.request("GET", "metrics")
        assert reply.status == 200
        return parse(reply.body["raw"])

    m = await metrics()
    assert sample(m, "voicesim_calls_started_total") == 0
    assert sample(m, "voicesim_ports_idle") == 65535

    sim.receiver.answer("/fee", 500)
    for _ in range(2):
        await sim.client.call_verify(**sim.verify_request())
    refused = await sim.client.call_verify(**sim.verify_request(verifyCode="x"))
    assert refused["resultcode"] == "1010002"
    m = await metrics()
    assert sample(m, "voicesim_calls_started_total") == 2
    assert sample(m, "voicesim_calls", state="callout") == 2
    assert sample(m, "voicesim_ports_idle") == 65533
    assert sample(m, "voicesim_api_answers_total", resultcode="0", status="200") == 2
    assert sample(m, "voicesim_api_answers_total", resultcode="1010002", status="403") == 1

    await sim.advance(2)
    m = await metrics()
    assert sample(m, "voicesim_calls", state="callout") == 0
    assert sample(m, "voicesim_calls", state="alerting") == 2

    await sim.advance(60)
    m = await metrics()
    assert sample(m, "voicesim_calls", state="answered") == 0
    assert sample(m, "voicesim_calls_ended_total", stateCode="0") == 2
    assert sample(m, "voicesim_push_attempts_total", kind="status", outcome="accepted") == 8
    assert sample(m, "voicesim_push_attempts_total", kind="bill", outcome="refused") == 1
    assert sample(m, "voicesim_bills_pending_repush") == 2  # both bills share one end second: one message
    assert sample(m, "voicesim_bill_messages_owed") == 1
    assert sample(m, "voicesim_ports_idle") == 65535

    await sim.advance(3600)
    m = await metrics()
    assert sample(m, "voicesim_push_attempts_total", kind="bill", outcome="accepted") == 1
    assert sample(m, "voicesim_bills_pending_repush") == 0


async def test_metrics_content_type_is_prometheus_text(sim):
    async with aiohttp.ClientSession() as s:
        async with s.get(sim.base_url + "/_sim/metrics") as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("text/plain")
            assert (await resp.text()).endswith("\n")
