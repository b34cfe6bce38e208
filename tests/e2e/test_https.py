"""``voicesim serve --tls-self-signed`` as a user runs it: the banner names the CA file, the README's
HTTPS client runs as pasted trusting it, a client that does not trust it is refused, and the
Dockerfile's health check speaks HTTPS when the TLS variables say so."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from simulator.client import VoiceClient
from tests.helpers import REPO, dockerfile_healthcheck, free_port, stop_process


def _readme_https_client(port: int) -> str:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## HTTPS both ways", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert "https://127.0.0.1:8443" in code
    return code.replace("127.0.0.1:8443", f"127.0.0.1:{port}")


def _banner(proc: subprocess.Popen[str], until: str, within: float = 20.0) -> list[str]:
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + within
    while not any(until in line for line in lines):
        assert time.monotonic() < deadline, f"no {until!r} in the banner: {lines}"
        line = proc.stdout.readline()
        assert line, f"serve ended early: {lines}"
        lines.append(line.rstrip("\n"))
    return lines


async def test_serve_tls_self_signed_end_to_end(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOICESIM_")}
    env.update(VOICESIM_PORT=str(port), VOICESIM_TLS_SELF_SIGNED="true", VOICESIM_DATA_DIR="voicesim-data")
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "serve"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    drain = None
    try:
        lines = await asyncio.to_thread(_banner, proc, "CA file:")
        ca_file = tmp_path / "voicesim-data" / "tls" / "ca.pem"
        assert f"https://127.0.0.1:{port}" in lines[0]
        assert "  TLS:        self-signed for localhost, 127.0.0.1, ::1" in lines
        assert f"  CA file:    {ca_file}  (trust this; in the data dir, reused on restart)" in lines
        assert proc.stdout is not None
        drain = asyncio.ensure_future(asyncio.to_thread(proc.stdout.read))  # a full pipe would block serve

        check = dockerfile_healthcheck()
        deadline = time.monotonic() + 15
        while subprocess.run(check, env=env, capture_output=True, timeout=10).returncode != 0:
            assert time.monotonic() < deadline, "the Dockerfile's health check never passed over HTTPS"
            await asyncio.sleep(0.1)

        readme = subprocess.run([sys.executable, "-c", _readme_https_client(port)], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=30)
        assert readme.returncode == 0, readme.stderr
        assert readme.stdout.startswith("200 {'resultcode': '0', 'resultdesc': 'Success', 'sessionId': '")

        async with VoiceClient(f"https://127.0.0.1:{port}") as stranger:
            with pytest.raises(aiohttp.ClientConnectorCertificateError):
                await stranger.call_verify(displayNbr="+8675528000002", calleeNbr="+8613800000000",
                                           languageType=2, preTone="pretone.wav", verifyCode="123456")
    finally:
        stop_process(proc)
        if drain is not None:
            await asyncio.wait_for(drain, 10)  # the pipe ends with the process
        assert proc.stdout is not None
        proc.stdout.close()
