"""The pytest plugin as an SP team uses it: test files written the way a user would, run by pytester
in a subprocess (with the plugin loaded from its ``pytest11`` entry point)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.helpers import REPO, free_port, stop_process

INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
"""

USER_SUITE = '''
import pytest
from simulator.testing import DROP, Answer


async def test_code_call_gets_its_events_and_one_bill(voice_platform, sp_receiver):
    reply = await voice_platform.client.call_verify(
        displayNbr=voice_platform.display_number, calleeNbr="+8613800000000", languageType=2,
        preTone="pretone.wav", verifyCode="123456", userData="order-42",
        statusUrl=sp_receiver.b64("/status"), feeUrl=sp_receiver.b64("/fee"))
    assert reply.status == 200 and reply["resultcode"] == "0"
    sid = reply["sessionId"]

    await voice_platform.advance(60)

    assert sp_receiver.event_types(sid) == ["callout", "alerting", "answer", "disconnect"]
    disconnect = sp_receiver.events(session_id=sid)[-1][1]
    assert disconnect["stateCode"] == 0
    bill = await voice_platform.wait_for_bill(sid)
    assert bill["userData"] == "order-42" and bill["callOutAnswerTime"]


async def test_waiting_helpers_advance_the_clock(voice_platform, sp_receiver):
    reply = await voice_platform.client.call_verify(**voice_platform.verify_request())
    sid = reply["sessionId"]
    answer = await voice_platform.wait_for_event("answer", sid)
    assert answer["called"] == "+8613800000000"
    infos = await voice_platform.wait_for_events(sid, "callout", "alerting", "answer", "disconnect")
    assert infos[-1]["stateCode"] == 0


async def test_scripted_sp_failures_make_the_platform_re_push(voice_platform, sp_receiver):
    sp_receiver.answer("/fee", 500, DROP, (200, '{"resultcode": "1"}'))
    reply = await voice_platform.client.call_verify(**voice_platform.verify_request())
    sid = reply["sessionId"]
    await voice_platform.advance(60 + 3 * 3600)
    assert [r.accepted for r in sp_receiver.on("/fee")] == [False, False, False, True]
    assert len(sp_receiver.bills(accepted_only=True)) == 1


async def test_a_slow_sp_is_a_failed_push(voice_platform, sp_receiver):
    sp_receiver.answer("/fee", Answer(200, delay=0.5))
    reply = await voice_platform.client.call_verify(**voice_platform.verify_request())
    await voice_platform.advance(60)
    (push,) = (await voice_platform.control("GET", "deliveries", kind="bill"))["deliveries"]
    assert push["attempts"][0]["error"].startswith("timeout")


async def test_a_shipped_scenario_at_run_time(voice_platform, sp_receiver):
    await voice_platform.scenario("busy")
    reply = await voice_platform.client.call_verify(**voice_platform.verify_request())
    disconnect = await voice_platform.wait_for_event("disconnect", reply["sessionId"])
    assert disconnect["stateCode"] == 8102
    assert (await voice_platform.wait_for_bill(reply["sessionId"]))["callOutUnaswRsn"] == 17


@pytest.fixture
def voice_platform_settings():
    return {"push_timeout": 0.2, "call_ports": 1}


async def test_settings_fixture_and_ports(voice_platform, sp_receiver):
    first = await voice_platform.client.call_verify(**voice_platform.verify_request())
    second = await voice_platform.client.call_verify(**voice_platform.verify_request())
    assert (first["resultcode"], second["resultcode"]) == ("0", "1020154")
'''

WRONG_EVENT = '''
async def test_expects_digits_that_never_come(voice_platform, sp_receiver):
    reply = await voice_platform.client.call_verify(**voice_platform.verify_request())
    await voice_platform.wait_for_event("collectInfo", reply["sessionId"], within=30)


async def test_expects_the_wrong_order(voice_platform, sp_receiver):
    reply = await voice_platform.client.call_verify(**voice_platform.verify_request())
    await voice_platform.wait_for_events(reply["sessionId"], "callout", "answer", "disconnect")
'''

PARITY_SUITE = '''
async def test_same_test_on_the_real_platform(voice_platform, sp_receiver):
    assert not voice_platform.simulated
    reply = await voice_platform.client.call_verify(**voice_platform.verify_request(verifyCode="42"))
    assert reply["resultcode"] == "0"
    infos = await voice_platform.wait_for_events(reply["sessionId"], "callout", "alerting", "answer",
                                                 "disconnect", within=20)
    assert infos[-1]["stateCode"] == 0
    bill = await voice_platform.wait_for_bill(reply["sessionId"], within=20)
    assert bill["sessionId"] == reply["sessionId"]


async def test_clock_helper_skips_there(voice_platform, sp_receiver):
    await voice_platform.advance(60)
    raise AssertionError("not reached")


async def test_chaos_through_the_control_api_skips_there(voice_platform):
    await voice_platform.control("POST", "ports", {"capacity": 0})
    raise AssertionError("not reached")


async def test_scenarios_skip_there(voice_platform):
    await voice_platform.scenario("busy")
    raise AssertionError("not reached")
'''


def _run(pytester: pytest.Pytester, **files: str) -> pytest.RunResult:
    pytester.makeini(INI)
    pytester.makepyfile(**files)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rs", timeout=120)


@pytest.mark.slow  # a pytest run in a subprocess
def test_a_user_suite_passes(pytester):
    result = _run(pytester, test_sp_backend=USER_SUITE)
    result.assert_outcomes(passed=6)


@pytest.mark.slow  # a pytest run in a subprocess
def test_a_wrong_event_fails_with_a_readable_message(pytester):
    result = _run(pytester, test_wrong=WRONG_EVENT)
    result.assert_outcomes(failed=2)
    out = result.stdout.str()
    assert ("a 'collectInfo' event of call 1201_1_1_20260101000000@callenabler245.huaweicaas.com did not happen "
            "within 30 s; the SP received ['callout', 'alerting', 'answer', 'disconnect']") in out
    assert ("call 1201_1_1_20260101000000@callenabler245.huaweicaas.com: the SP received events "
            "['callout', 'alerting', 'answer', 'disconnect'], expected ['callout', 'answer', 'disconnect']") in out
    assert "Traceback" not in out and "pytest_plugin.py" not in out  # the message, not our internals



@pytest.mark.slow  # a pytest run in a subprocess
def test_parity_mode_runs_the_same_test_against_a_platform_url(pytester, monkeypatch):
    port = free_port()
    # Stands in for the real platform: a separate simulator on a real (fast) clock.
    server = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--port", str(port), "--speed", "20"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={k: v for k, v in os.environ.items() if not k.startswith("VOICESIM_")})
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_sim/health", timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the stand-in platform did not start"
                time.sleep(0.05)
        monkeypatch.setenv("VOICESIM_REAL_URL", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("VOICESIM_REAL_APP_KEY", "voicesimDemoAppKey0000000001")
        monkeypatch.setenv("VOICESIM_REAL_APP_SECRET", "voicesimDemoSecret0000000001")
        result = _run(pytester, test_parity=PARITY_SUITE)
    finally:
        stop_process(server)
    result.assert_outcomes(passed=1, skipped=3)
    result.stdout.fnmatch_lines([
        f"*advance() needs the simulator; skipped against the real platform at http://127.0.0.1:{port}*",
        "*control(POST ports) needs the simulator*",
        "*scenario() needs the simulator*",
    ])


@pytest.mark.slow  # a pytest run in a subprocess
def test_the_readme_example_passes_as_written(pytester):
    readme = (REPO / "README.md").read_text()
    after = readme.split("A complete test, as an SP team writes it", 1)[1]
    code = after.split("```python\n", 1)[1].split("```", 1)[0]
    result = _run(pytester, test_readme=code)
    result.assert_outcomes(passed=2)


@pytest.mark.slow  # a pytest run in a subprocess
def test_the_fixtures_work_in_pytest_asyncio_strict_mode(pytester):
    pytester.makeini("[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_strict='''
import pytest


@pytest.mark.asyncio
async def test_marked(voice_platform, sp_receiver):
    reply = await voice_platform.client.call_verify(**voice_platform.verify_request())
    assert (await voice_platform.wait_for_event("disconnect", reply["sessionId"]))["stateCode"] == 0
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=1)
