"""How long hostile inputs take to refuse: auth headers, scenario patterns, YAML, JSON bodies.

    .venv/bin/python benchmarks/hostile_inputs.py [--rounds 200]

Each line is the median time of one parse (or match) over ``--rounds`` runs, in the process,
without HTTP. The goal: an 8 KB auth header in about a millisecond whatever its shape (the parser
is linear, and so is the diagnosis of its refusal), a backtracking-prone pattern in linear time
(RE2), and a few hundred bytes of nested YAML aliases refused in milliseconds (the expansion is
counted, not carried out).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.auth import (  # noqa: E402
    AUTHORIZATION,
    Verifier,
    check_authorization,
    diagnose,
)
from simulator.errors import PlatformError  # noqa: E402
from simulator.inputs import InputError, compile_pattern, loads  # noqa: E402
from simulator.scenarios import ScenarioError  # noqa: E402
from simulator.scenarios import loads as load_scenario  # noqa: E402

KB8 = 8 * 1024
LAUGHS = "name: x\noutcomes: [{outcome: busy}]\nd0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"d{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9))


def _median_ms(run: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        try:
            run()
        except (PlatformError, InputError, ScenarioError):
            pass
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _refused(verifier: Verifier, x_aksk: str) -> None:
    """Verify, and diagnose the refusal as every refused request is (the journal's diagnosis)."""
    try:
        verifier.verify(AUTHORIZATION, x_aksk)
    except PlatformError as exc:
        diagnose(exc, {"Authorization": AUTHORIZATION, "X-AKSK": x_aksk}, verifier.secrets, time.time(),
                 verifier.window)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    verifier = Verifier({"voicesimDemoAppKey0000000001": "voicesimDemoSecret0000000001"})
    shapes = {"letters": "a" * KB8, "commas": "," * KB8, "quotes": '"' * KB8, "open quotes": 'a="' * (KB8 // 3),
              "attributes": 'a="1",' * (KB8 // 6), "equals signs": "a=" * (KB8 // 2),
              "spaces": " " * (KB8 - 1) + "x"}
    print(f"median of {rounds} runs, one parse each\n")
    print(f"{'input':48} {'ms':>8}")
    for name, text in shapes.items():
        x_aksk, auth = "UsernameToken " + text, "AKSK " + text
        took = _median_ms(lambda h=x_aksk: verifier.verify(AUTHORIZATION, h), rounds)
        print(f"{'X-AKSK, 8 KB of ' + name:48} {took:8.3f}")
        took = _median_ms(lambda h=auth: check_authorization(h), rounds)
        print(f"{'Authorization, 8 KB of ' + name:48} {took:8.3f}")
        took = _median_ms(lambda h=x_aksk: _refused(verifier, h), rounds)
        print(f"{'X-AKSK, 8 KB of ' + name + ', refusal diagnosed':48} {took:8.3f}")
    pattern = compile_pattern("(a+)+$")
    for n in (1_000, 10_000, 100_000):
        took = _median_ms(lambda t="a" * n + "!": pattern.fullmatch(t), rounds)
        print(f"{f'pattern (a+)+$ on {n} characters (RE2)':48} {took:8.3f}")
    few = max(rounds // 20, 3)
    print(f"{'YAML: 10^9 values in ' + str(len(LAUGHS)) + ' bytes of aliases':48} "
          f"{_median_ms(lambda: load_scenario(LAUGHS), few):8.3f}")
    deep = "name: x\noutcomes: [{outcome: busy}]\nd: " + "[" * 60_000
    print(f"{'YAML: 60,000 nested brackets':48} {_median_ms(lambda: load_scenario(deep), few):8.3f}")
    body = b"[" * 60_000
    print(f"{'JSON: 60,000 nested brackets':48} {_median_ms(lambda: loads(body), rounds):8.3f}")


if __name__ == "__main__":
    main()
