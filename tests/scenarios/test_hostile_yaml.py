"""Untrusted scenario YAML, posted or validated: bounded time and memory, problems as
``file:line: field: message``, never a 500; and patterns that cannot backtrack."""
from __future__ import annotations

from typing import Any

import pytest

from simulator.cli import main
from tests.helpers import assert_unharmed, call_before

OK_HEAD = "name: hostile\noutcomes: [{outcome: busy}]\n"
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8))

HOSTILE = [
    ("nested aliases (a few hundred bytes, 10^9 values)", "description: x\n" + LAUGHS,
     ":5: d[7][8][8][8]: the document expands to more than 10000 values"),
    ("recursive alias", "name: x\noutcomes: &o [{outcome: busy}, *o]\n", ":2: outcomes[1]: an alias refers to"),
    ("NUL character", OK_HEAD + "description: a\x00b\n", ":3: not valid YAML: character #x0000 is not allowed"),
    ("NUL escape", OK_HEAD + 'description: "a\\0b"\n', ":3: description: must not contain a NUL character"),
    ("lone surrogate escape", OK_HEAD + 'description: "\\ud800"\n', ":3: description: must not contain an unpaired"),
    ("huge integer", OK_HEAD + "seed: " + "9" * 5000 + "\n", ":3: seed: the integer is out of range"),
    ("NaN weight", "name: x\noutcomes: [{outcome: busy, weight: .nan}]\n",
     ":2: outcomes[0].weight: nan is not a finite"),
    ("endless talk", "name: x\noutcomes: [{outcome: answered, talk: .inf}]\n", ":2: outcomes[0].talk: inf is not"),
    ("a year and more", "name: x\noutcomes: [{outcome: answered, talk: 99999999h}]\n",
     ":2: outcomes[0].talk: a duration must be at most"),
    ("deep flow nesting", OK_HEAD + "description: " + "[" * 20_000 + "\n", ":3: nested more than 32 levels deep"),
    ("deep block nesting", OK_HEAD + "description:\n" + "".join(" " * i + "- \n" for i in range(1, 60)),
     ":35: nested more than 32 levels deep"),
    ("spaces before a unit", "name: x\noutcomes: [{outcome: answered, talk: '1" + " " * 30_000 + "x'}]\n",
     ":2: outcomes[0].talk:"),
    ("backreference pattern", "name: x\nmatch: {callee_pattern: '(a)\\1'}\noutcomes: [{outcome: busy}]\n",
     ":2: match.callee_pattern: not a valid regular expression for the linear-time engine (RE2)"),
    ("lookahead pattern", "name: x\nmatch: {user_data_pattern: '(?=a)a'}\noutcomes: [{outcome: busy}]\n",
     ":2: match.user_data_pattern: not a valid regular expression for the linear-time engine (RE2)"),
]


@pytest.mark.parametrize("name,text,words", HOSTILE, ids=[h[0] for h in HOSTILE])
async def test_posted_hostile_yaml_is_refused_with_its_line(sim, name, text, words):
    before = await call_before(sim)
    reply = await sim.control_api.request("POST", "scenarios", {"yaml": text})
    assert (reply.status, reply["error"]) == (400, "invalid scenario")
    assert any(p.startswith("<posted>:") and words in p for p in reply["problems"]), reply["problems"]
    assert (await sim.control_api.request("GET", "scenarios"))["active"] == ["default"]
    await assert_unharmed(sim, before)


@pytest.mark.parametrize("name,text,words", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_validate_names_the_same_problems(tmp_path, capsys, name, text, words):
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}{words}" in err, err


def test_validate_reads_no_more_than_the_limit_of_a_huge_file(tmp_path, capsys):
    path = tmp_path / "huge.yaml"
    path.write_text(OK_HEAD + "# " + "x" * 5_000_000 + "\n")
    assert main(["validate", str(path)]) == 1
    assert "at most 262144 allowed" in capsys.readouterr().err


async def test_a_backtracking_pattern_runs_in_linear_time_on_every_call(sim: Any):
    # With Python's re this pattern takes seconds per call on such userData, with the loop blocked.
    reply = await sim.control_api.request("POST", "scenarios", {"yaml": (
        "name: nested\nmatch: {user_data_pattern: '(a+)+$'}\noutcomes: [{outcome: busy}]\n")})
    assert reply.status == 200 and reply["active"] == ["nested"]
    before = await call_before(sim)  # userData "placed-before": not selected
    # On a backtracking engine the first request would never be answered (2^250 ways to fail).
    hostile = await sim.client.call_verify(**sim.verify_request(userData="a" * 250 + "!"))
    matched = await sim.client.call_verify(**sim.verify_request(userData="a" * 250))
    assert hostile["resultcode"] == matched["resultcode"] == "0"
    await assert_unharmed(sim, before)
    assert sim.receiver.event_types(matched["sessionId"]) == ["callout", "disconnect"]  # busy: selected
    assert sim.receiver.event_types(hostile["sessionId"])[-2:] == ["answer", "disconnect"]  # not selected
