"""The dashboard in a real headless chromium (Debian's, driven by Playwright): live calls, a selected
call's events and bills, the controls, the integration report panel; and the HTML report of
``voicesim load``: its SVG plots drawn.
Screenshots of both are saved to ``artifacts/``."""
from __future__ import annotations

import asyncio
import os
import sys
from typing import Any, AsyncIterator

import pytest

from tests.helpers import REPO

CHROMIUM = os.environ.get("VOICESIM_CHROMIUM", "/usr/bin/chromium")
# The network here is closed: without these chromium keeps dialling Google's services.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = REPO / "artifacts"
WAIT_MS = 10_000


def _cannot_run(what: str) -> None:
    pytest.fail(f"BROWSER TEST CANNOT RUN: {what}. The dashboard test needs Playwright for Python (the test "
                f"extra: pip install -e '.[test]') and Debian's chromium at {CHROMIUM} "
                "(apt-get install -y chromium; .ci/run does both). Never `playwright install`.", pytrace=False)


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError as exc:
        _cannot_run(f"the playwright package is missing ({exc})")
    if not os.access(CHROMIUM, os.X_OK):
        _cannot_run(f"no chromium executable at {CHROMIUM}")
    async with async_playwright() as pw:
        try:
            chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        except Exception as exc:  # whatever stops the launch, the message must say it
            _cannot_run(f"chromium at {CHROMIUM} did not start: {exc}")
        yield chromium
        await chromium.close()


async def test_dashboard_shows_live_calls_their_events_and_controls_work(make_sim, receiver, browser):
    sim = await make_sim(call_ports=10)
    receiver.answer("/fee", 500)  # the first bill message is refused: the page shows the re-push pending
    first = await sim.client.call_verify(**sim.verify_request(userData="order-1001"))
    second = await sim.client.call_verify(**sim.verify_request(calleeNbr="+8613900000001", userData="order-1002"))
    assert first.status == second.status == 200
    await sim.advance(30)  # both calls end; their bills leave together and are refused once

    page = await browser.new_page(viewport={"width": 1360, "height": 1000})
    await page.goto(sim.base_url + "/_sim/ui")
    rows = page.locator("#calls tbody tr")
    for reply in (first, second):
        row = page.locator(f'tr[data-session-id="{reply["sessionId"]}"]')
        await row.wait_for(timeout=WAIT_MS)
        assert await row.get_attribute("data-state") == "ended"
    assert "order-1001" in await page.locator(f'tr[data-session-id="{first["sessionId"]}"]').inner_text()
    # The pace figures: nothing waits for the SP, and a manual clock is never late.
    assert await page.locator('[data-figure="backlog"]').inner_text() == "0"
    assert await page.locator('[data-figure="lateness"]').inner_text() == "0.0/0.0 ms"

    # The bill panel shows the refused message and when it will be pushed again.
    newest = page.locator("#deliveries tbody tr").first
    await newest.wait_for(timeout=WAIT_MS)
    push_id = await newest.get_attribute("data-push-id")
    message = page.locator(f'#deliveries tr[data-push-id="{push_id}"]')
    assert await message.get_attribute("data-bill-state") == "retrying"
    assert (await message.inner_text()).split() == [f"#{push_id}", "2", "retrying", "00:00:20", "HTTP", "500",
                                                    "01:00:20"]

    # A call made while the page is open appears without a reload, and moves on as the clock does.
    third = await sim.client.call_verify(**sim.verify_request(calleeNbr="+8613700000002", userData="order-1003"))
    live_row = page.locator(f'tr[data-session-id="{third["sessionId"]}"]')
    await live_row.wait_for(timeout=WAIT_MS)
    assert await live_row.get_attribute("data-state") == "callout"
    assert (await rows.count()) == 3
    assert "order-1003" in await live_row.inner_text()

    # Selecting a call shows each event with its time and push result, and its bill deliveries.
    await page.locator(f'tr[data-session-id="{first["sessionId"]}"]').click()
    disconnect = page.locator('#events li[data-event="disconnect"]')
    await disconnect.wait_for(timeout=WAIT_MS)
    events = await page.locator("#events li").all_inner_texts()
    assert [e.split()[2] for e in events] == ["callout", "alerting", "answer", "disconnect"]
    assert all(e.endswith("\u2192 200") for e in events), events
    assert events[0].startswith("2026-01-01 00:00:00")
    assert receiver.events()[0][1]["timestamp"] == "2026-01-01 00:00:00"
    bill = page.locator("#bills > li")
    assert await bill.get_attribute("data-bill-state") == "retrying"
    assert "HTTP 500" in await bill.inner_text()
    assert "2 bill(s)" in await bill.inner_text()
    await page.wait_for_function("document.querySelector('#timeline').naturalWidth > 0", timeout=WAIT_MS)

    # Controls: the port capacity and the manual clock, from the page to the platform and back.
    await page.fill("#ports", "4")
    await page.click("#ports-form button")
    await page.wait_for_function("document.querySelector('#capacity').textContent === '4'", timeout=WAIT_MS)
    assert sim.platform.ports.capacity == 4
    assert await page.inner_text("#idle") == "3"  # the third call holds one port
    await page.fill("#advance", "4")
    await page.click("#advance-form button")
    await page.wait_for_function(
        f"document.querySelector('tr[data-session-id=\"{third['sessionId']}\"]').dataset.state === 'answered'",
        timeout=WAIT_MS)
    assert sim.platform.engine.find(third["sessionId"]).state == "answered"

    # Switching scenario from the page: the next call over the API finds the callee busy.
    await page.wait_for_selector("#scenario-form:not([hidden])", timeout=WAIT_MS)
    await page.select_option("#scenario", "busy")
    await page.click("#scenario-form button")
    await page.wait_for_function("document.querySelector('#control-message').textContent === 'done'",
                                 timeout=WAIT_MS)
    assert [s.scenario.name for s in sim.platform.scenarios.active] == ["busy"]
    busy = await sim.client.call_verify(**sim.verify_request(calleeNbr="+8613600000003"))
    await sim.advance(5)
    busy_row = page.locator(f'tr[data-session-id="{busy["sessionId"]}"]')
    await busy_row.wait_for(timeout=WAIT_MS)
    await page.wait_for_function(
        f"document.querySelector('tr[data-session-id=\"{busy['sessionId']}\"]').dataset.state === 'ended'",
        timeout=WAIT_MS)
    assert "8102 The callee is busy." in await busy_row.inner_text()

    # The bill's re-push, one simulated hour on, is accepted; the selected call's panel follows.
    await sim.advance(3600)
    await page.wait_for_function(
        "document.querySelector('#bills > li').dataset.billState === 'delivered'", timeout=WAIT_MS)
    attempts = await page.locator("#bills > li li").all_inner_texts()
    assert [a.split()[-1] for a in attempts] == ["500", "200"]
    assert (await message.inner_text()).split() == [f"#{push_id}", "2", "delivered", "00:00:20", "HTTP", "500",
                                                    "\u00b7", "01:00:20", "200"]

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    await page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


async def test_dashboard_lists_the_integration_report(make_sim, receiver, browser):
    sim = await make_sim()
    headers = sim.client.headers()
    headers["X-AKSK"] = headers["X-AKSK"].replace("Username=", "UserName=")
    assert (await sim.client.post("/rest/httpsessions/callVerify/v1.0", sim.verify_request(), headers)).status == 400
    receiver.answer("/fee", 500)
    await sim.client.call_verify(**sim.verify_request())
    await sim.advance(60)

    page = await browser.new_page(viewport={"width": 1360, "height": 1000})
    await page.goto(sim.base_url + "/_sim/ui")
    rows = page.locator("#report tbody tr")
    await rows.nth(1).wait_for(timeout=WAIT_MS)
    assert [await r.get_attribute("data-finding-id") for r in await rows.all()] == [
        "signature.header_attribute", "push.http_500.bill"]
    signing = page.locator('#report tr[data-finding-id="signature.header_attribute"]')
    assert (await signing.inner_text()).split()[:2] == ["error", "1"]
    await signing.locator("summary").click()
    example = signing.locator("pre")
    assert "UserName=" in await example.inner_text()
    assert "case-sensitive" in await signing.inner_text()

    # A new mistake shows once the panel is refreshed, and the open example stays open.
    await sim.client.call_verify(**sim.verify_request(calleeNbr="13800000000"))
    await page.click("#report-refresh")
    await page.locator('#report tr[data-finding-id="field.calleeNbr.global_format"]').wait_for(timeout=WAIT_MS)
    assert await example.is_visible()
    assert await page.inner_text("#report-summary") == "(3 errors, 0 warnings)"


async def test_load_report_html_draws_its_plots(sp_receiver, browser, tmp_path):
    sp_receiver.stall("/status", *[0.02, 0.02, 0.08] * 20)
    sp_receiver.answer("/fee", 500)  # the first bill message is refused, then re-pushed a simulated hour on
    page_file = tmp_path / "load.html"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "simulator", "load", "--rate", "10", "--duration", "2", "--speed", "3600",
        "--seed", "1", "--status-url", sp_receiver.url("/status"), "--fee-url", sp_receiver.url("/fee"),
        "--html", str(page_file), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    text = out.decode()
    assert proc.returncode == 0, text
    assert f"HTML report: {page_file}" in text and "p99" in text

    page = await browser.new_page(viewport={"width": 1000, "height": 900})
    await page.goto(page_file.as_uri())
    assert await page.locator("#latency-plot polyline.series").count() == 3  # p50, p90, p99
    series = await page.locator("#latency-plot polyline.series").evaluate_all(
        "lines => lines.map(l => l.dataset.series)")
    assert series == ["p50", "p90", "p99"]
    assert await page.locator("#attempts-plot rect.bar").count() >= 3
    failed = page.locator('#attempts-plot rect.bar[data-series="failed"]')
    assert await failed.count() == 1  # the one refused bill push
    box = await page.locator("#latency-plot").bounding_box()
    assert box is not None and box["width"] > 700 and box["height"] > 250  # drawn, not just present
    failures = await page.locator("#failures tbody tr").all_inner_texts()
    assert [row.split("\t") for row in failures] == [["HTTP 500", "0", "1"]]
    delivery = dict(row.split("\t") for row in await page.locator("#delivery tbody tr").all_inner_texts())
    assert delivery["re-pushes"] == "1" and delivery["accepted after a re-push"] == "1"

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "load-report.png"
    await page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
