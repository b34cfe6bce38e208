"""The command line: help, settings from flags and environment, and a real served process."""
from __future__ import annotations

import asyncio
import re
import subprocess
import sys

import pytest

from simulator import config
from simulator.cli import build_parser, main
from simulator.client import VoiceClient
from tests.helpers import free_port, stop_process


def test_serve_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    text = capsys.readouterr().out
    for name in config.ENV_PARSERS:
        assert "--" + name.replace("_", "-") in text
        assert "VOICESIM_" + name.upper() in text


def test_flags_beat_environment_which_beats_config_file(tmp_path):
    cfg = tmp_path / "voicesim.yaml"
    cfg.write_text("call_ports: 7\nport: 9001\nspeed: 2\napps:\n  - {key: k2, secret: s2, quota: 10}\n")
    s = config.build({"port": 9100}, {"VOICESIM_PORT": "9002", "VOICESIM_CALL_PORTS": "8"}, str(cfg))
    assert (s.port, s.call_ports, s.speed) == (9100, 8, 2)
    assert [a.key for a in s.apps()] == [config.DEMO_APP_KEY, "k2"]


@pytest.mark.parametrize("doc,words", [
    ("- a\n- b\n", "must be a mapping"),
    ("colour: red\n", "unknown setting 'colour'"),
    ("apps:\n  - {key: k}\n", "apps[0]"),
])
def test_bad_config_file_is_named(tmp_path, doc, words):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(doc)
    with pytest.raises(ValueError, match=re.escape(words)):
        config.build({}, {}, str(cfg))


def test_bad_values_refuse_to_start(capsys):
    assert main(["serve", "--call-ports", "70000"]) == 2
    assert "call_ports must be 0-65535" in capsys.readouterr().err


def test_bad_environment_value_is_named():
    with pytest.raises(ValueError, match="VOICESIM_PORT"):
        config.from_env({"VOICESIM_PORT": "eighty"})


def test_sign_prints_both_headers(capsys):
    assert main(["sign"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == 'Authorization: AKSK realm="SDP",profile="UsernameToken",type="Appkey"'
    assert out[1].startswith(f'X-AKSK: UsernameToken Username="{config.DEMO_APP_KEY}",PasswordDigest="')



@pytest.mark.slow  # a server in a subprocess
async def test_python_m_simulator_serves_a_signed_request():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--port", str(port), "--call-ports", "9"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    drain = None
    try:
        banner = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 15)
        assert f"http://127.0.0.1:{port}" in banner
        drain = asyncio.ensure_future(asyncio.to_thread(proc.stdout.read))  # a full pipe would block the server
        async with VoiceClient(f"http://127.0.0.1:{port}") as client:
            for _ in range(100):  # the banner comes just before the socket opens
                try:
                    reply = await client.call_verify(
                        displayNbr="+8675528000002", calleeNbr="+8613800000000", languageType=2,
                        preTone="pretone.wav", verifyCode="123456", returnIdlePort="true")
                    break
                except OSError:
                    await asyncio.sleep(0.05)
        assert reply.status == 200 and reply["resultcode"] == "0" and reply["idlePort"] == 8
    finally:
        stop_process(proc)
        if drain is not None:
            await asyncio.wait_for(drain, 10)  # the pipe ends with the process
        proc.stdout.close()


def test_verify_names_a_base_url_it_cannot_reach_without_a_traceback(capsys):
    assert main(["verify", "--base-url", "notaurl"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("voicesim: cannot reach notaurl") and "Traceback" not in err
