"""Bad scenario files are refused with a message naming the file, the line and the field."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from simulator import Platform, Settings, config
from simulator.cli import main
from simulator.scenarios import ScenarioError, load, load_all, loads
from tests.helpers import REPO

GOOD = """\
name: good
outcomes:
  - outcome: answered
"""

# (file text, line, field, words the message must contain)
BAD = [
    ("- outcome: busy\n", 1, None, "must be a mapping"),
    ("just text\n", 1, None, "must be a mapping"),
    ("", 1, None, "empty"),
    ("name: x\noutcomes:\n\t- outcome: busy\n", 3, None, "tab character"),
    ("name: x\nname: y\noutcomes: [{outcome: busy}]\n", 2, "name", "duplicate key (first given on line 1)"),
    ("name: x\noutcomes:\n  - outcome: busy\n    colour: red\n", 4, "outcomes[0].colour", "unknown key"),
    ("name: x\nseeed: 3\noutcomes: [{outcome: busy}]\n", 2, "seeed", "unknown key"),
    ("name: x\noutcomes:\n  - outcome: engaged\n", 3, "outcomes[0].outcome", "'engaged' is not one of"),
    ("name: x\noutcomes:\n  - outcome: answered\n    ring: 6s..2s\n", 4, "outcomes[0].ring", "out of order"),
    ("name: x\noutcomes:\n  - outcome: answered\n    ring: soon\n", 4, "outcomes[0].ring", "not a duration"),
    ("name: x\noutcomes: [{outcome: busy}]\nchaos:\n  status:\n    drop: 1.5\n", 5, "chaos.status.drop",
     "probability between 0 and 1"),
    ("name: x\noutcomes: [{outcome: busy}]\nchaos:\n  bills:\n    fail: -0.1\n", 5, "chaos.bills.fail",
     "probability between 0 and 1"),
    ("name: x\noutcomes: [{outcome: busy}]\nchaos:\n  api:\n    outages:\n      - {start: 10s, end: 5s}\n", 6,
     "chaos.api.outages[0].end", "must end after it starts"),
    ("name: x\noutcomes: [{outcome: busy}]\nchaos:\n  api:\n    error: {code: 999, rate: 0.1}\n", 5,
     "chaos.api.error.code", "not a result code"),
    ("name: x\nmatch:\n  callee_pattern: '+86('\noutcomes: [{outcome: busy}]\n", 3, "match.callee_pattern",
     "not a valid regular expression"),
    ("name: x\noutcomes:\n  - outcome: busy\n    talk: 3s\n", 4, "outcomes[0].talk", "only an answered call talks"),
    ("name: x\noutcomes:\n  - outcome: busy\n    ring: 3s\n", 4, "outcomes[0].ring", "fails before the phone rings"),
    ("name: x\noutcomes: []\n", 2, "outcomes", ""),
    ("outcomes: [{outcome: busy}]\n", 1, None, "'name' is required"),
    ("name: x\noutcomes:\n  - weight: 2\n", 3, "outcomes[0]", "'outcome' is required"),
    ("name: x\noutcomes:\n  - outcome: busy\n    weight: 0\n", 4, "outcomes[0].weight", ""),
    ("name: x\noutcomes: [{outcome: busy}]\nchaos:\n  ports:\n    - {at: 20s, capacity: 0}\n"
     "    - {at: 10s, capacity: 5}\n", 6, "chaos.ports[1].at", "time order"),
    ("name: x\noutcomes: [{outcome: busy}]\nchaos:\n  ports:\n    - {at: 20s, capacity: 70000}\n", 5,
     "chaos.ports[0].capacity", "number of ports 0-65535"),
    ("name: x\noutcomes: [{outcome: busy}]\nchaos:\n  ports:\n    - {at: 20s, capacity: all}\n", 5,
     "chaos.ports[0].capacity", "or \"configured\""),
    ("name: x\noutcomes: [{outcome: busy]\n", 2, None, "not valid YAML"),
]


@pytest.mark.parametrize("text,line,field,words", BAD)
def test_bad_file_names_file_line_and_field(tmp_path, text, line, field, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load(str(path))
    message = str(caught.value)
    prefix = f"{path}:{line}: " + (f"{field}: " if field else "")
    assert any(p.startswith(prefix) and words in p for p in caught.value.problems), message


def test_every_problem_of_a_file_is_reported_in_line_order(tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text("name: x\noutcomes:\n  - outcome: answered\n    ring: 6s..2s\n    colour: red\n"
                    "chaos:\n  status: {drop: 2}\n")
    with pytest.raises(ScenarioError) as caught:
        load(str(path))
    lines = [int(p.split(":")[1]) for p in caught.value.problems]
    assert lines == [4, 5, 7]


def test_problems_of_several_files_are_reported_together(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("name: a\noutcomes: [{outcome: nope}]\n")
    b.write_text("name: b\noutcomes:\n\t- outcome: busy\n")
    with pytest.raises(ScenarioError) as caught:
        load_all([str(a), str(b)])
    assert [p.split(":")[0] for p in caught.value.problems] == [str(a), str(b)]


def test_two_files_with_one_name_are_refused(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(GOOD)
    b.write_text(GOOD)
    with pytest.raises(ScenarioError, match="more than one file"):
        load_all([str(a), str(b)])


def test_unknown_name_lists_the_shipped_ones():
    with pytest.raises(ScenarioError, match="no shipped scenario of that name.*busy"):
        load("no-such-scenario")


def test_the_platform_refuses_to_start_on_an_invalid_scenario(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\noutcomes:\n  - outcome: engaged\n")
    with pytest.raises(ScenarioError, match=r"bad.yaml:3: outcomes\[0\].outcome"):
        Platform(Settings(manual_clock=True, scenarios=(str(path),)))


def test_serve_refuses_an_invalid_scenario_and_says_where(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\noutcomes:\n  - outcome: busy\n    talk: 2s\n")
    assert main(["serve", "--scenario", str(path), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:4: outcomes[0].talk: only an answered call talks" in err


def test_validate_command(tmp_path, capsys):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD)
    bad.write_text("name: x\noutcomes: [{outcome: busy}]\nchaos: {status: {drop: 3}}\n")
    assert main(["validate", str(good)]) == 0
    assert "ok (good)" in capsys.readouterr().out
    assert main(["validate", str(good), str(bad), "busy"]) == 1
    captured = capsys.readouterr()
    assert f"{bad}:3: chaos.status.drop: 3 must be a probability between 0 and 1" in captured.err
    assert "busy: ok (busy)" in captured.out


def test_scenarios_command_lists_one_line_each(capsys):
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 9
    busy = next(line for line in lines if line.startswith("busy "))
    assert "8102" in busy
    assert all("INVALID" not in line for line in lines)


def test_every_example_in_the_scenario_docs_is_valid():
    text = open(REPO / "docs" / "scenarios.md", encoding="utf-8").read()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert len(blocks) >= 9
    for block in blocks:
        if not re.search(r"^name:", block, re.M):
            block = "name: doc-example\n" + block
        if not re.search(r"^outcomes:", block, re.M):
            block += "outcomes: [{outcome: answered}]\n"
        loads(block, "docs/scenarios.md")


def test_scenarios_from_config_file_and_environment(tmp_path):
    cfg = tmp_path / "voicesim.yaml"
    cfg.write_text("scenarios: [busy, no-answer]\n")
    assert config.build({}, {}, str(cfg)).scenarios == ("busy", "no-answer")
    env = {"VOICESIM_SCENARIOS": "outage,busy", "VOICESIM_SEED": "9"}
    settings = config.build({}, env, str(cfg))
    assert settings.scenarios == ("outage", "busy") and settings.seed == 9
    assert config.build({"scenarios": ("rejected",)}, env).scenarios == ("rejected",)
    platform = Platform(replace(settings, manual_clock=True))
    assert [a.scenario.name for a in platform.scenarios.active] == ["outage", "busy"]
    assert all(a.scenario.seed == 9 for a in platform.scenarios.active)
