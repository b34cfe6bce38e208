"""Operations: the Dockerfile's HEALTHCHECK command works against a served simulator."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

from tests.helpers import dockerfile_healthcheck, stop_process


def test_dockerfile_healthcheck_passes_on_a_healthy_simulator_and_fails_without_the_token():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOICESIM_")}
    env.update(VOICESIM_PORT=str(port), VOICESIM_CONTROL_TOKEN="tok")
    check = dockerfile_healthcheck()
    assert subprocess.run(check, env=env, capture_output=True, timeout=10).returncode != 0  # nothing serves yet
    server = subprocess.Popen([sys.executable, "-m", "simulator", "serve"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while subprocess.run(check, env=env, capture_output=True, timeout=10).returncode != 0:
            assert time.monotonic() < deadline, "the healthcheck never passed"
            time.sleep(0.1)
        wrong = dict(env, VOICESIM_CONTROL_TOKEN="other")
        failed = subprocess.run(check, env=wrong, capture_output=True, timeout=10, text=True)
        assert failed.returncode != 0 and "401" in failed.stderr
    finally:
        stop_process(server)


def test_serve_refuses_a_data_dir_it_cannot_use(tmp_path, capsys):
    from simulator.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["serve", "--data-dir", str(blocker / "data"), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"voicesim: cannot keep the journal in {blocker / 'data' / 'voicesim.sqlite3'}: ")
