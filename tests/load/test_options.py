"""``voicesim load`` refuses absurd bounds and endpoints that are not this machine's, and says why."""
from __future__ import annotations

import pytest

from simulator.cli import main
from simulator.load import LoadOptions, check_url, is_loopback

LOCAL = ["--status-url", "http://127.0.0.1:9/status", "--fee-url", "http://127.0.0.1:9/fee"]


@pytest.mark.parametrize("flags,words", [
    (["--rate", "100000"], "--rate must be more than 0 and at most 500 calls per second, got 100000"),
    (["--rate", "0"], "--rate must be more than 0"),
    (["--rate", "nan"], "--rate must be more than 0"),
    (["--duration", "86400"], "--duration must be more than 0 and at most 3600 seconds, got 86400"),
    (["--duration", "-1"], "--duration must be more than 0"),
    (["--rate", "500", "--duration", "3600"], "is 1800000 calls; a load run places at most 100000"),
    (["--speed", "inf"], "--speed must be more than 0"),
    (["--push-timeout", "0"], "--push-timeout must be more than 0"),
    (["--drain", "-5"], "--drain must be 0-3600 seconds"),
    (["--app-key", "key\r\nX-Evil: 1"], "app_key"),  # it would sign (and so head) every push
])
def test_absurd_bounds_are_refused_before_anything_is_sent(capsys, flags, words):
    assert main(["load", *LOCAL, *flags]) == 2
    assert words in capsys.readouterr().err


@pytest.mark.parametrize("url", ["http://10.1.2.3:8080/status", "https://sp.example.com/status",
                                 "http://0.0.0.0:9000/status", "http://[::ffff:10.0.0.1]/status"])
def test_an_endpoint_off_this_machine_is_refused_without_allow_remote(capsys, url):
    assert main(["load", "--status-url", url]) == 2
    out = capsys.readouterr().err
    assert "is not this machine" in out and "--allow-remote" in out


def test_allow_remote_lets_the_users_own_endpoint_through_the_check():
    LoadOptions(status_url="https://sp.example.com/status", allow_remote=True).check()  # no error
    with pytest.raises(ValueError, match="is not this machine"):
        LoadOptions(status_url="https://sp.example.com/status").check()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.8.9.10", "[::1]", "LOCALHOST"])
def test_loopback_endpoints_are_accepted(host):
    check_url("--fee-url", f"http://{host}:9000/fee", allow_remote=False)
    assert is_loopback(host)


@pytest.mark.parametrize("url,words", [
    ("ftp://127.0.0.1/fee", "must be an http:// or https:// URL with a host"),
    ("127.0.0.1:9000/fee", "must be an http:// or https:// URL"),
    ("http://127.0.0.1:99999/fee", "is not a URL"),
])
def test_urls_that_are_not_http_urls_are_refused(url, words):
    with pytest.raises(ValueError, match=words):
        check_url("--fee-url", url, allow_remote=True)


def test_an_endpoint_is_required_and_a_bad_scenario_is_named(capsys):
    assert main(["load"]) == 2
    assert "give the SP's endpoints: --status-url, --fee-url or both" in capsys.readouterr().err
    assert main(["load", *LOCAL, "--scenario", "no-such-scenario"]) == 2
    assert "no-such-scenario" in capsys.readouterr().err


def test_the_calls_planned_follow_rate_and_duration():
    assert LoadOptions(rate=40, duration=3).planned == 120
    assert LoadOptions(rate=3, duration=0.5).planned == 2  # at 0 s and 0.33 s
