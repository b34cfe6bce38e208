"""``voicesim report`` against a live simulator and its data dir: the same report both ways, JUnit XML that
parses and fails the way ``--fail-on`` says, and the exit status."""
from __future__ import annotations

import asyncio
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from simulator.cli import main
from simulator.report import Report, analyze, from_data_dir
from simulator.testing import Answer


async def _cli(*args: str) -> int:
    # in a thread: the command runs its own event loop, while this one serves the simulator it asks
    return await asyncio.to_thread(main, ["report", *args])


async def _mixed_traffic(sim: Any, slow_fee: bool = False) -> str:
    """A signing mistake (error), a field error (error), a refused status event (error), a stop of an ended
    call (warning); with ``slow_fee``, bills answered after 0.3 s."""
    headers = sim.client.headers()
    headers["X-AKSK"] = headers["X-AKSK"].replace("Username=", "UserName=")
    assert (await sim.client.post("/rest/httpsessions/callVerify/v1.0", sim.verify_request(), headers)).status == 400
    assert (await sim.client.call_verify(**sim.verify_request(calleeNbr="0755-1234567"))).status == 403
    sim.receiver.answer("/status", 503)
    if slow_fee:
        sim.receiver.answer("/fee", Answer(200, delay=0.3))
    sid = (await sim.client.call_verify(**sim.verify_request()))["sessionId"]
    await sim.advance(60)
    assert (await sim.client.call_stop(sid))["resultcode"] == "1020152"
    return str(sid)


async def _written(sim: Any) -> None:
    """Wait (real time, bounded) until the journal's writer has put everything on disk."""
    deadline = time.monotonic() + 10
    while (await sim.control_api.health())["journal"]["backlog"]:
        assert time.monotonic() < deadline, "the journal did not reach the disk within 10 s"
        await asyncio.sleep(0.02)


async def test_the_report_from_the_data_dir_equals_the_live_one(make_sim, tmp_path):
    sim = await make_sim(data_dir=str(tmp_path / "data"))
    await _mixed_traffic(sim, slow_fee=True)
    live = Report.from_json((await sim.control_api.request("GET", "report", params={"slowAfter": 0.2})).body)
    await _written(sim)

    from_disk = analyze(from_data_dir(str(tmp_path / "data")), slow_after=0.2)
    assert from_disk == live
    assert {f.id for f in live.findings} == {"signature.header_attribute", "field.calleeNbr.global_format",
                                             "push.http_503.status", "push.slow", "api.stop_after_end"}

    for fmt in ("markdown", "junit", "terminal"):
        by_url, by_dir = tmp_path / f"url.{fmt}", tmp_path / f"dir.{fmt}"
        assert await _cli("--url", sim.base_url, "--format", fmt, "--slow-after", "0.2", "-o", str(by_url)) == 0
        assert await _cli("--data-dir", str(tmp_path / "data"), "--format", fmt, "--slow-after", "0.2",
                          "-o", str(by_dir)) == 0
        assert by_url.read_text() == by_dir.read_text()
    markdown = (tmp_path / "url.markdown").read_text()
    assert "| error | 1 | calleeNbr: a number not in global format |" in markdown
    assert "0755-1234567" in markdown and "§2 Authentication" in markdown


def _junit(path: Path) -> tuple[int, list[tuple[str, str | None]]]:
    """The suite's failure count, and each test case's name with its failure type (None: it passes)."""
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    cases = [(c.get("name", ""), None if c.find("failure") is None else c.find("failure").get("type"))
             for c in suite.findall("testcase")]
    assert int(suite.get("tests", "-1")) == len(cases)
    assert int(root.get("failures", "-1")) == int(suite.get("failures", "-2"))
    return int(suite.get("failures", "-1")), cases


async def test_junit_and_the_exit_status_follow_fail_on(sim, tmp_path):
    await _mixed_traffic(sim)
    out = tmp_path / "report.xml"

    assert await _cli("--url", sim.base_url, "--format", "junit", "-o", str(out)) == 0  # no --fail-on: exit 0
    failures, cases = _junit(out)
    assert failures == 3 and {t for _, t in cases} == {"error", None}  # errors fail by default

    assert await _cli("--url", sim.base_url, "--format", "junit", "-o", str(out), "--fail-on", "error") == 1
    assert _junit(out)[0] == 3

    assert await _cli("--url", sim.base_url, "--format", "junit", "-o", str(out), "--fail-on", "warning") == 1
    failures, cases = _junit(out)
    assert failures == 4 and sorted(t for _, t in cases if t) == ["error", "error", "error", "warning"]
    assert ("api.stop_after_end /rest/httpsessions/callStop/v2.0", "warning") in cases


async def test_warnings_alone_fail_only_fail_on_warning(sim, tmp_path):
    sid = (await sim.client.call_verify(**sim.verify_request()))["sessionId"]
    await sim.advance(60)
    await sim.client.call_stop(sid)
    out = tmp_path / "report.xml"
    assert await _cli("--url", sim.base_url, "--format", "junit", "-o", str(out), "--fail-on", "error") == 0
    failures, cases = _junit(out)
    assert failures == 0 and ("api.stop_after_end /rest/httpsessions/callStop/v2.0", None) in cases
    assert await _cli("--url", sim.base_url, "--format", "junit", "-o", str(out), "--fail-on", "warning") == 1


async def test_a_clean_run_passes_with_one_case_per_category(sim, tmp_path, capsys):
    await sim.client.call_verify(**sim.verify_request())
    await sim.advance(60)
    out = tmp_path / "report.xml"
    assert await _cli("--url", sim.base_url, "--format", "junit", "-o", str(out), "--fail-on", "warning") == 0
    failures, cases = _junit(out)
    assert failures == 0 and len(cases) == 4 and all(name.endswith("no problems") for name, _ in cases)
    assert await _cli("--url", sim.base_url) == 0
    assert "No problems found in 1 platform request and 5 pushes." in capsys.readouterr().out


async def test_the_control_token_and_unreadable_sources(make_sim, tmp_path, capsys):
    sim = await make_sim(control_token="s3cret-token")
    assert await _cli("--url", sim.base_url) == 2
    assert "--control-token" in capsys.readouterr().err
    assert await _cli("--url", sim.base_url, "--control-token", "s3cret-token", "--format", "markdown") == 0
    assert capsys.readouterr().out.startswith("# voicesim: SP integration report")
    assert await _cli("--data-dir", str(tmp_path / "nothing-here")) == 2
    assert "no journal in" in capsys.readouterr().err
