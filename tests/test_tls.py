"""HTTPS in: ``serve``'s TLS (a local CA made for ``--tls-self-signed``, or the user's certificate),
and a client that trusts the CA gets through while one that does not is refused."""
from __future__ import annotations

import ssl
import stat
from pathlib import Path
from typing import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from simulator import config, tls
from simulator.app import create_app
from simulator.cli import main
from simulator.client import SimControl, VoiceClient
from simulator.clock import Clock
from simulator.platform import Platform
from simulator.pytest_plugin import START

VERIFY = {"displayNbr": "+8675528000002", "calleeNbr": "+8613800000000", "languageType": 2,
          "preTone": "pretone.wav", "verifyCode": "123456"}


async def _serve_tls(app: web.Application, context: ssl.SSLContext) -> AsyncIterator[str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context).start()
    try:
        yield f"https://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@pytest.fixture
def local_ca(tmp_path: Path) -> tls.ServerTLS:
    return tls.self_signed(tls.cert_names("127.0.0.1"), str(tmp_path))


@pytest.fixture
async def https_sim(local_ca: tls.ServerTLS) -> AsyncIterator[str]:
    platform = Platform(config.Settings(manual_clock=True), Clock(manual=True, start=START))
    async for url in _serve_tls(create_app(platform=platform), local_ca.context):
        yield url


async def test_a_client_trusting_the_printed_ca_gets_through_and_one_that_does_not_is_refused(
        https_sim: str, local_ca: tls.ServerTLS):
    assert local_ca.ca_file is not None
    trust = ssl.create_default_context(cafile=str(local_ca.ca_file))
    async with VoiceClient(https_sim, ssl=trust) as client, SimControl(https_sim, ssl=trust) as control:
        reply = await client.call_verify(**VERIFY)
        assert reply.status == 200 and reply["resultcode"] == "0"
        assert (await control.health())["status"] == "ok"

    async with VoiceClient(https_sim) as stranger:  # the system store alone does not know the local CA
        with pytest.raises(aiohttp.ClientConnectorCertificateError) as refused:
            await stranger.call_verify(**VERIFY)
    assert "certificate verify failed" in str(refused.value)


async def test_plain_http_to_the_https_port_gets_no_platform_answer(https_sim: str):
    async with VoiceClient(https_sim.replace("https://", "http://")) as client:
        with pytest.raises(aiohttp.ClientError):
            await client.call_verify(**VERIFY)


def test_the_ca_stays_in_the_data_dir_and_is_reused_with_a_fresh_server_certificate(tmp_path: Path):
    first = tls.self_signed(tls.cert_names("0.0.0.0", ["voicesim"]), str(tmp_path))
    assert first.ca_file == tmp_path / "tls" / "ca.pem" and first.kept
    assert first.names == ("localhost", "127.0.0.1", "::1", "voicesim")
    for private in ("ca.key", "server.key"):
        assert stat.S_IMODE((tmp_path / "tls" / private).stat().st_mode) == 0o600
    ca, cert = first.ca_file.read_bytes(), first.cert_file.read_bytes()

    again = tls.self_signed(tls.cert_names("127.0.0.1"), str(tmp_path))
    assert again.ca_file is not None and again.ca_file.read_bytes() == ca  # SPs trust it once
    assert again.cert_file.read_bytes() != cert
    assert "reused on restart" in "\n".join(again.banner())


def test_without_a_data_dir_the_ca_goes_to_a_temporary_directory_and_the_banner_says_so():
    made = tls.self_signed(("localhost",), None)
    assert made.ca_file is not None and made.ca_file.exists() and not made.kept
    assert f"CA file:    {made.ca_file}" in "\n".join(made.banner())
    assert "temporary directory" in "\n".join(made.banner())


def test_a_certificate_and_key_of_the_users_own_serve_https(local_ca: tls.ServerTLS, tmp_path: Path):
    own = tls.server_tls(config.Settings(tls_cert=str(local_ca.cert_file),
                                         tls_key=str(tmp_path / "tls" / "server.key")))
    assert own is not None and own.ca_file is None
    assert own.banner() == [f"  TLS:        certificate {local_ca.cert_file}"]


@pytest.mark.parametrize("flags,words", [
    (["--tls-cert", "cert.pem"], "tls_cert and tls_key go together"),
    (["--tls-self-signed", "true", "--tls-cert", "c.pem", "--tls-key", "k.pem"], "not both"),
    (["--tls-names", "voicesim"], "tls_names only applies with tls_self_signed"),
    (["--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"],
     "cannot use TLS certificate /nonexistent/cert.pem"),
    (["--push-ca-file", "/nonexistent/ca.pem"], "push_ca_file /nonexistent/ca.pem: cannot load it"),
    (["--tls-self-signed", "true", "--tls-names", "not a name!"], "tls_names: "),
])
def test_bad_tls_settings_refuse_to_start_and_say_why(capsys, flags, words):
    assert main(["serve", "--port", "1", *flags]) == 2
    assert words in capsys.readouterr().err


def test_tls_settings_come_from_the_environment_too():
    s = config.build({}, {"VOICESIM_TLS_SELF_SIGNED": "true", "VOICESIM_TLS_NAMES": "voicesim, sim.local",
                          "VOICESIM_PUSH_CA_FILE": "/ca.pem"})
    assert (s.tls_self_signed, s.tls_names, s.push_ca_file) == (True, ("voicesim", "sim.local"), "/ca.pem")
