"""The README a newcomer pastes: every Python block runs against a live server, every command parses."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import urllib.request

import pytest

from simulator.cli import build_parser
from tests.helpers import REPO, free_port, stop_process

README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, flags=re.S)
# The pytest ones run in test_pytest_plugin (or need Docker: Testcontainers); the HTTPS client in test_https,
# against serve --tls-self-signed.
PYTHON = [code for lang, code in BLOCKS
          if lang == "python" and "def test_" not in code and "https://127.0.0.1:8443" not in code]
SHELL = [code for lang, code in BLOCKS if lang == "sh"]



@pytest.fixture(scope="module")
def served() -> str:
    """``voicesim serve`` as ``make run`` starts it, but on a free port and at x20 so waits are short."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--port", str(port), "--speed", "20"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(base + "/_sim/health", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError("the simulator did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        stop_process(proc)


def test_the_readme_has_its_examples():
    assert len(PYTHON) >= 5 and len(SHELL) >= 5
    assert not any(re.search(r"^(async with|await) ", code, flags=re.M) for code in PYTHON), \
        "a README Python block has a bare top-level async with/await: it cannot run as pasted"


@pytest.mark.parametrize("index", range(len(PYTHON)))
def test_every_python_block_runs_as_pasted(served, index):
    code = PYTHON[index].replace("http://127.0.0.1:8090", served)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=90,
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, f"README block {index} failed:\n{code}\n{result.stderr}"


def test_every_voicesim_command_in_the_readme_parses():
    commands = [line.split("#", 1)[0] for code in SHELL for line in code.replace("\\\n", " ").splitlines()
                if line.lstrip().startswith(".venv/bin/voicesim ")]
    assert len(commands) >= 8
    parser = build_parser()
    for command in commands:
        words = shlex.split(command)[1:]
        parser.parse_args(words)  # an unknown subcommand or flag exits the test with argparse's message
    assert not re.search(r"^(voicesim|python -m simulator) ", README, flags=re.M), \
        "a command line starts with a bare voicesim: say .venv/bin/voicesim"
