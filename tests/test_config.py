"""Settings are untrusted too: flags, VOICESIM_* variables and config files are refused at start,
naming the setting (and, in a file, its line), before anything listens."""
from __future__ import annotations

import pytest

from simulator import config
from simulator.cli import main

FLAGS = [
    (["--speed", "nan"], "speed must be a finite number, got nan"),
    (["--speed", "inf"], "speed must be a finite number, got inf"),
    (["--speed=-inf"], "speed must be a finite number"),
    (["--speed", "-1"], "speed must be between 1e-06 and 1e+07"),
    (["--speed", "1e300"], "speed must be between 1e-06 and 1e+07"),
    (["--speed", "0"], "speed must be between"),
    (["--push-timeout", "nan"], "push_timeout must be a finite number"),
    (["--bill-retry-interval", "1e30"], "bill_retry_interval must be between"),
    (["--auth-window", "-5"], "auth_window must be between"),
    (["--port", "70000"], "port must be 1-65535"),
    (["--journal-keep", "0"], "journal_keep must be 1-100000000"),
    (["--app-key", 'key"with,quote'], "app_key must be 1-128 letters, digits or ._~+/=-"),
    (["--status-url", "http://[::1/status"], "status_url does not parse as a URL"),
    (["--display-numbers", "12345"], "display_numbers[0] must be in global format"),
    (["--control-token", "two words"], "control_token must be 1-256 printable ASCII characters"),
    (["--allowed-origins", "http://dash.example/path"], "allowed_origins[0] must be an origin"),
    (["--allowed-hosts", "http://voicesim"], "allowed_hosts[0] must be a host name"),
    (["--collect-digits", "12a"], "collect_digits must be at most 32 digits"),
]


@pytest.mark.parametrize("flags,words", FLAGS, ids=[" ".join(f) for f, _ in FLAGS])
def test_bad_flags_refuse_to_start(capsys, flags, words):
    assert main(["serve", *flags]) == 2
    assert words in capsys.readouterr().err


@pytest.mark.parametrize("name,value,words", [
    ("SPEED", "nan", "speed must be a finite number"),
    ("CALL_PORTS", "1e3", "VOICESIM_CALL_PORTS"),
    ("APP_SECRET", "a\udcffb", "app_secret must not contain an unpaired UTF-16 surrogate"),  # undecodable bytes
])
def test_bad_environment_refuses_to_start(capsys, monkeypatch, name, value, words):
    monkeypatch.setenv("VOICESIM_" + name, value)
    assert main(["serve"]) == 2
    assert words in capsys.readouterr().err


FILES = [
    ("- a\n- b\n", "cfg.yaml:1: the config file must be a mapping"),
    ("'just text'\n", "cfg.yaml:1: the config file must be a mapping"),
    ("call_ports: 3\ncolour: red\n", "cfg.yaml:2: colour: unknown setting 'colour'"),
    ("speed: .nan\n", "cfg.yaml:1: speed: nan is not a finite number"),
    ("speed: .inf\n", "cfg.yaml:1: speed: inf is not a finite number"),
    ("port: eighty\n", "cfg.yaml:1: port: must be an integer, got 'eighty'"),
    ("port: 80.5\n", "cfg.yaml:1: port: must be an integer"),
    ("manual_clock: maybe\n", "cfg.yaml:1: manual_clock: must be true or false"),
    ("display_numbers: +8675528000009\n", "cfg.yaml:1: display_numbers: must be a list of text"),
    ("apps: {key: k}\n", "cfg.yaml:1: apps: must be a list"),
    ("apps:\n  - key: k\n", "cfg.yaml:2: apps[0].secret: is required"),
    ("apps:\n  - {key: k, secret: s, quota: ten}\n", "cfg.yaml:2: apps[0].quota: must be an integer or null"),
    ("apps:\n  - {key: k, secret: s, colour: red}\n", "cfg.yaml:2: apps[0].colour: unknown field 'colour'"),
    ("apps:\n  - {key: k, secret: s, status_url: 'http://[::1/s'}\n",
     "cfg.yaml:2: apps[0].status_url: does not parse as a URL"),
    ("apps:\n  - {key: 'a b', secret: s}\n", "cfg.yaml:2: apps[0].key: must be 1-128 letters"),
    ("media:\n  - {name: x.wav, duration: .nan}\n", "cfg.yaml:2: media[0].duration: nan is not a finite number"),
    ("media:\n  - {name: x.wav, duration: 1.0e+300}\n", "duration must be between 0 and 3600"),
    ("media:\n  - {name: x.wav, state: lost}\n", "cfg.yaml:2: media[0]: media 'x.wav': state must be one of"),
    ("media:\n  - x.wav\n", "cfg.yaml:2: media[0]: must be a mapping"),
    ("a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n", "the document expands to more than 10000 values"),
    ("apps: &x [*x]\n", "cfg.yaml:1: apps[0]: an alias refers to a mapping or list that contains it"),
    ("call_ports: 3\x00\n", "cfg.yaml:1: not valid YAML: character #x0000 is not allowed"),
    ("call_ports: " + "9" * 5000 + "\n", "cfg.yaml:1: call_ports: the integer is out of range"),
]


@pytest.mark.parametrize("text,words", FILES, ids=[f[1].partition(": ")[2][:40] or f[1] for f in FILES])
def test_bad_config_files_are_named_by_line_and_field(tmp_path, monkeypatch, text, words):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cfg.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as err:
        config.build({}, {}, "cfg.yaml")
    assert words in str(err.value)


def test_a_good_config_file_still_works(tmp_path):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("call_ports: 200\nspeed: 2\nallowed_hosts: [voicesim]\napps:\n  - key: myAppKey\n"
                   "    secret: myAppSecret\n    display_numbers: ['+8675528000009']\n"
                   "    status_url: http://127.0.0.1:9000/status\n    quota: 10\n"
                   "media:\n  - {name: mytone.wav, duration: 3.5}\n  - {name: pending.wav, state: pending}\n")
    s = config.build({}, {}, str(cfg))
    assert (s.call_ports, s.speed, s.allowed_hosts) == (200, 2, ("voicesim",))
    assert s.extra_apps[0].display_numbers == ("+8675528000009",) and s.extra_apps[0].quota == 10
    assert {m.name for m in s.media} >= {"mytone.wav", "pending.wav", "pretone.wav"}


@pytest.mark.parametrize("flags", [["--speed", "nan"], ["--speed", "1e300"], ["--rate", "nan"], ["--duration", "inf"],
                                   ["--rate=-1"], ["--sp-error-rate", "nan"]])
def test_the_demos_flags_are_refused_the_same_way(capsys, flags):
    assert main(["demo", *flags]) == 2
    assert "voicesim demo: --" in capsys.readouterr().out
