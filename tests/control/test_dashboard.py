"""The dashboard's HTTP side: the SSE feed from the journal, and the timeline SVG."""
from __future__ import annotations

import asyncio
import json
from typing import Any
from xml.etree import ElementTree

import aiohttp

from simulator.config import AppConfig
from simulator.control.timeline import timeline_svg
from simulator.delivery import Attempt, Push
from simulator.engine import Call

SVG = "{http://www.w3.org/2000/svg}"


def _visible(text: ElementTree.Element) -> str:
    """A text element's shown words, without its tooltip."""
    return (text.text or "") + "".join(child.tail or "" for child in text)


async def _snapshots(session: aiohttp.ClientSession, url: str, count: int) -> list[dict[str, Any]]:
    """The first ``count`` snapshot events of the feed at ``url``."""
    out: list[dict[str, Any]] = []
    async with session.get(url) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/event-stream")
        while raw := await asyncio.wait_for(resp.content.readline(), 5):  # a regression fails fast
            line = raw.decode().rstrip("\n")
            if line.startswith("data: "):
                out.append(json.loads(line[6:]))
                if len(out) == count:
                    break
    return out


async def test_feed_sends_a_snapshot_and_another_when_the_call_moves(sim, receiver):
    reply = await sim.client.call_verify(**sim.verify_request(userData="u-1"))
    sid = reply["sessionId"]
    await sim.advance(0)  # the callout push has been answered
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{sim.base_url}/_sim/ui/feed", params={"call": sid}) as resp:
            lines = resp.content

            async def next_snapshot() -> dict[str, Any]:
                while raw := await asyncio.wait_for(lines.readline(), 5):  # a regression fails fast
                    if raw.startswith(b"data: "):
                        return json.loads(raw[6:])
                raise AssertionError("feed ended")

            first = await next_snapshot()
            assert first["recent"][0]["sessionId"] == sid and first["recent"][0]["state"] == "callout"
            assert first["calls"]["callout"] == 1 and first["ports"]["idle"] == 65534
            assert [e["event"] for e in first["selected"]["events"]] == ["callout"]
            assert first["selected"]["events"][0]["result"] == "200"
            await sim.advance(1)
            second = await next_snapshot()
            assert second["recent"][0]["state"] == "alerting"
            assert [e["event"] for e in second["selected"]["events"]] == ["callout", "alerting"]


async def test_feed_without_push_urls_says_so(make_sim):
    sim = await make_sim()
    reply = await sim.client.call_verify(**sim.verify_request(statusUrl=None, feeUrl=None))
    await sim.advance(60)
    async with aiohttp.ClientSession() as session:
        [snap] = await _snapshots(session, f"{sim.base_url}/_sim/ui/feed?call={reply['sessionId']}", 1)
    events = snap["selected"]["events"]
    assert [e["event"] for e in events] == ["callout", "alerting", "answer", "disconnect"]
    assert {e["result"] for e in events} == {"no statusUrl"} and snap["selected"]["bills"] == []
    assert snap["calls"]["ended"] == 1 and snap["events"]["delivered"] == 0


async def test_timeline_svg_draws_the_call_its_pushes_and_a_refused_bill(sim, receiver):
    receiver.answer("/fee", 503)
    reply = await sim.client.call_verify(**sim.verify_request())
    await sim.advance(60)
    sid = reply["sessionId"]
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{sim.base_url}/_sim/calls/{sid}/timeline.svg") as resp:
            assert resp.status == 200 and resp.content_type == "image/svg+xml"
            root = ElementTree.fromstring(await resp.read())  # well-formed, standalone SVG
        async with session.get(f"{sim.base_url}/_sim/calls/1201_9_9_x@h/timeline.svg") as resp:
            assert resp.status == 404 and "no call with sessionId" in (await resp.json())["error"]
    assert root.tag == SVG + "svg"
    texts = [_visible(t) for t in root.iter(SVG + "text")]
    assert texts[0] == sid
    for lane in ("SP server", "Platform", "User", "SP statusUrl", "SP feeUrl"):
        assert lane in texts
    for event in ("callout", "alerting", "answer", "disconnect"):
        assert f"{event} \u2192 200" in texts
    assert "fee, 1 bill(s) \u2192 HTTP 503" in texts
    assert "fee re-push due" in texts
    # Arrows to the SP's endpoints are coloured by what the SP answered.
    fee_lines = [line for line in root.iter(SVG + "line") if line.get("stroke") == "#cf222e"]
    assert len(fee_lines) == 1


async def test_timeline_svg_stays_well_formed_xml_whatever_the_sp_answered(sim, receiver):
    # A bill endpoint answering in UTF-16: valid JSON to the platform (resultcode 1, a refusal), and its
    # quoted answer is full of NUL characters, which XML forbids.
    utf16 = '{"resultcode":"1","resultdesc":"refused"}'.encode("utf-16-le").decode("latin-1")
    receiver.answer("/fee", (200, utf16))
    reply = await sim.client.call_verify(**sim.verify_request())
    await sim.advance(60)
    sid = reply["sessionId"]
    (push,) = await sim.control_api.deliveries(kind="bill")
    assert "\x00" in push["attempts"][0]["error"]  # what the SP sent is kept as it came
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{sim.base_url}/_sim/calls/{sid}/timeline.svg") as resp:
            assert resp.status == 200
            root = ElementTree.fromstring(await resp.read())  # raises on a character XML forbids
    refused = [t for t in root.iter(SVG + "text") if "fee, 1 bill(s) \u2192 resultcode {\ufffd" in _visible(t)]
    assert len(refused) == 1
    assert (await sim.control_api.health())["status"] == "ok"


def test_timeline_svg_replaces_every_character_xml_forbids():
    call = Call("1201_1_1_x@h", 1, AppConfig("k", "s"), "001", "+8675528000002", "+8613800000000", ())
    forbidden = "\x00\x01\x08\x0b\x0c\x1b[31m\x1f\ud800\udfff\ufffe\uffff"
    push = Push(7, "bill", "fee", "http://sp/fee", call.app, b"{}", (call.session_id,), call.start,
                attempts=[Attempt(call.start, False, None, f"ClientError: {forbidden} <&> ok\ttab")])
    svg = timeline_svg(call, [push])
    root = ElementTree.fromstring(svg.encode())  # encodable, and well-formed
    titles = [t.text for t in root.iter(SVG + "title")]
    shown = "\ufffd" * 6 + "[31m" + "\ufffd" * 5
    assert f"fee, 1 bill(s) \u2192 ClientError: {shown} <&> ok\ttab" in titles


async def test_reset_empties_the_page_and_its_totals(sim, receiver):
    await sim.client.call_verify(**sim.verify_request())
    await sim.advance(60)
    async with aiohttp.ClientSession() as session:
        [before] = await _snapshots(session, f"{sim.base_url}/_sim/ui/feed", 1)
        async with session.post(f"{sim.base_url}/_sim/reset") as resp:
            assert resp.status == 200
        [after] = await _snapshots(session, f"{sim.base_url}/_sim/ui/feed", 1)
    assert (before["events"]["delivered"], before["bills"]["delivered"], len(before["recent"])) == (4, 1, 1)
    assert (after["events"]["delivered"], after["bills"]["delivered"], after["recent"]) == (0, 0, [])
    assert after["calls"]["ended"] == 0 and after["billDeliveries"] == []
