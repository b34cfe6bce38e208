"""``voicesim demo``: seeded faker traffic, the outcome mix, and a summary that agrees with the SP receiver."""
from __future__ import annotations

import io
import re
import subprocess
import sys
import time

import pytest
from rich.console import Console

from simulator.api import fields
from simulator.cli import main
from simulator.demo import CALLING_CODES, EVENT_TYPES, Demo, DemoOptions, Traffic
from simulator.errors import PlatformError


def _row(lines: list[str], label: str) -> list[str]:
    """The numbers printed on the summary row ``label``."""
    for line in lines:
        if line.strip().startswith(label):
            return re.findall(r"\d+", line[line.index(label) + len(label):])
    raise AssertionError(f"no summary row {label!r} in:\n" + "\n".join(lines))


async def test_seeded_fast_forward_run_ends_with_a_summary_equal_to_what_the_sp_recorded():
    out = io.StringIO()
    # Enough ports for every call however a loaded machine bunches the requests: the point is the summary.
    options = DemoOptions(rate=4, duration=30, seed=11, speed=200, port=0, call_ports=400, sp_error_rate=0.15)
    result = await Demo(options, Console(file=out, width=120)).run()
    s, sp = result.summary, result.receiver.counts

    assert s["placed"] > 90 and not s["refused"]  # ~120 arrivals in 30 s at 4/s
    assert s["live"] == 0 and sum(s["endings"].values()) == s["placed"]
    assert len(s["endings"]) >= 5, s["endings"]  # the mix: answered, short, busy, no answer, rejected, ...
    assert s["events"] == {t: sp.events[t] for t in EVENT_TYPES}
    assert s["eventsRefused"] == sp.events_refused > 0
    assert (s["bills"], s["billMessages"], s["billAttemptsRefused"]) == \
           (sp.bills, sp.bill_messages, sp.bill_messages_refused)
    assert sp.bills + s["billsOwed"] == s["placed"]  # one bill per call: delivered, or owed and re-pushed later
    # Refused bills wait for their re-push. (How many bill messages there are, and so whether the 15 %
    # refusals hit one, depends on how calls' ends fall into seconds: a loaded machine merges more.)
    assert (s["retrying"] > 0) == (s["billAttemptsRefused"] > 0) and s["ports"]["idle"] == 400

    # The printed table says the same, platform next to receiver.
    lines = result.text
    assert lines[0].strip() == "Summary"
    assert _row(lines, "bills delivered") == [str(sp.bills)] * 2
    assert _row(lines, "bill messages delivered") == [str(sp.bill_messages)] * 2
    for t in EVENT_TYPES:
        assert _row(lines, f"{t} events delivered") == [str(sp.events[t])] * 2
    assert _row(lines, "calls placed")[0] == str(s["placed"])
    assert "dashboard http://127.0.0.1:" in out.getvalue()


async def test_same_seed_same_calls_at_any_speed():
    async def run(speed: float) -> dict:
        options = DemoOptions(rate=3, duration=10, seed=5, speed=speed, port=0, call_ports=1000)
        return (await Demo(options, Console(file=io.StringIO())).run()).summary

    slow, fast = await run(50), await run(400)
    assert slow["placed"] == fast["placed"] > 10
    assert slow["endings"] == fast["endings"]


@pytest.mark.parametrize("locale", sorted(CALLING_CODES))
def test_callees_are_global_numbers_of_the_locale_the_platform_accepts(locale):
    traffic = Traffic(locale, seed=3)
    for _ in range(25):
        call = traffic.call()
        assert call.callee.startswith("+" + CALLING_CODES[locale])
        try:
            fields.number({"calleeNbr": call.callee}, "calleeNbr", required=True)
        except PlatformError as exc:
            pytest.fail(f"{locale}: {call.callee} refused: {exc}")
        assert 1 <= len(call.user_data) <= 256 and call.code.isdigit()


async def test_a_shipped_scenario_decides_how_the_calls_end():
    options = DemoOptions(rate=3, duration=10, seed=8, speed=200, port=0, scenarios=("busy",))
    result = await Demo(options, Console(file=io.StringIO())).run()
    s, sp = result.summary, result.receiver.counts
    assert s["placed"] > 10 and s["endings"] == {"8102 The callee is busy.": s["placed"]}
    assert sp.events["alerting"] == sp.events["answer"] == 0  # busy fails before the phone rings
    assert sp.events["disconnect"] == sp.bills == s["placed"]


def test_bad_options_are_refused_with_a_message(capsys):
    assert main(["demo", "--sp-error-rate", "2", "--port", "0"]) == 2
    assert "--sp-error-rate must be between 0 and 1" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["demo", "--locale", "xx_XX"])
    assert "invalid choice: 'xx_XX'" in capsys.readouterr().err
    assert main(["demo", "--scenario", "no-such-scenario", "--port", "0"]) == 2
    assert "no-such-scenario" in capsys.readouterr().out
    assert main(["demo", "--port", "70000"]) == 2
    assert "--port must be 0-65535" in capsys.readouterr().out


@pytest.mark.slow  # the command in a subprocess
def test_the_command_runs_end_to_end():
    proc = subprocess.run([sys.executable, "-m", "simulator", "demo", "--duration", "6", "--rate", "2",
                           "--speed", "300", "--seed", "2", "--port", "0", "--locale", "en_US"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Summary" in proc.stdout and "bills delivered" in proc.stdout
    placed = _row(proc.stdout.splitlines(), "calls placed")
    assert placed[0] == placed[1] and int(placed[0]) > 0


async def test_a_run_that_cannot_keep_its_speed_says_so_live_and_in_the_summary():
    out = io.StringIO()
    demo = Demo(DemoOptions(rate=2, duration=10, seed=3, speed=100, port=0), Console(file=out, width=120))
    # A stall of the event loop injected 2 simulated seconds in (heavy load does the same, less predictably):
    # the events due meanwhile run 0.3 s late, 30 s of simulated time.
    demo.platform.clock.call_later(2.0, lambda _: time.sleep(0.3))
    result = await demo.run()
    assert result.summary["fellBehind"] is True and result.summary["worstP99Ms"] >= 250
    text = out.getvalue()
    assert "Falling behind x100: events run" in text  # the live view, while it happens
    assert any(line.startswith("The simulator fell behind x100") for line in result.text)  # the summary


async def test_the_summary_waits_for_status_events_chaos_delays(tmp_path):
    # Every event arrives 4-5 s late, a third of them after the call's next one: when the last call ends its
    # events are still on their way. The demo waits for them, so platform and SP agree.
    late = tmp_path / "late.yaml"
    late.write_text("name: late\noutcomes: [{outcome: answered}]\n"
                    "chaos: {status: {latency: 4s..5s, reorder: 0.3, reorder_window: 6s}}\n")
    options = DemoOptions(rate=1, duration=10, seed=1, speed=20, port=0, call_ports=100, scenarios=(str(late),))
    result = await Demo(options, Console(file=io.StringIO())).run()
    s, sp = result.summary, result.receiver.counts
    assert s["placed"] >= 5 and s["live"] == 0
    assert s["events"] == {t: sp.events[t] for t in EVENT_TYPES} and sp.events["disconnect"] == s["placed"]
    assert (s["bills"], s["billMessages"]) == (sp.bills, sp.bill_messages)


async def test_the_summary_waits_for_bills_chaos_delays():
    # sp-flaky delays bills up to 10 s and loses half the SP's answers: when the demo sums up, every call's
    # bill has reached the SP or is owed (its re-push an hour away), none is still on its way.
    demo = Demo(DemoOptions(rate=1, duration=10, seed=1, speed=20, port=0, call_ports=100, scenarios=("sp-flaky",)),
                Console(file=io.StringIO()))
    result = await demo.run()
    placed = {sid for sid, call in demo.journal.calls.items()}
    reached = {b["sessionId"] for b in result.receiver.bills("/voice/fee")}
    owed = {sid for push in demo.platform.delivery.owed.values() for sid in push.session_ids}
    assert len(placed) == result.summary["placed"] >= 5
    assert placed <= reached | owed, placed - reached - owed
