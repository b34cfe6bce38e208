"""The image and the README's container recipes, checked statically: there is no Docker engine here.

The Dockerfile must run the simulator as a user other than root; the compose file must parse, its
command must be one ``voicesim`` accepts and its variables ones the simulator reads; the
Testcontainers snippets must wait on ``/_sim/health`` at the port the image exposes. (The health
check command itself runs against a served simulator in ``e2e/test_ops.py`` and ``e2e/test_https.py``.)
"""
from __future__ import annotations

import ast
import re

import yaml

from simulator import config
from simulator.cli import build_parser
from tests.helpers import REPO

KNOWN_VARIABLES = {"VOICESIM_" + name.upper() for name in {**config.ENV_PARSERS, **config.ENV_PARSERS_EXTRA}}
KNOWN_VARIABLES |= {"VOICESIM_CONFIG", "VOICESIM_LOOP"}


def _dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1] if " " in ln else "") for ln in lines]


def _section(title: str) -> str:
    readme = (REPO / "README.md").read_text()
    return readme.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def test_the_image_runs_as_an_unprivileged_user_that_owns_the_data_dir():
    steps = _dockerfile()
    names = [name for name, _ in steps]
    users = [args for name, args in steps if name == "USER"]
    assert users, "the Dockerfile has no USER: the simulator would run as root"
    uid, _, gid = users[-1].partition(":")
    assert uid not in ("root", "0") and gid not in ("root", "0")
    assert uid.isdigit() and int(uid) >= 1000  # numeric, so Kubernetes' runAsNonRoot can check it
    last_user = len(names) - 1 - names[::-1].index("USER")
    last_run = len(names) - 1 - names[::-1].index("RUN")
    assert last_run < last_user < names.index("CMD")  # installs as root, runs as the user
    setup = " ".join(args for name, args in steps if name == "RUN")
    assert f"--uid {uid}" in setup and f"--gid {gid}" in setup
    assert "mkdir /data && chown voicesim:voicesim /data" in setup
    assert any(name == "EXPOSE" and args == "8090" for name, args in steps)


def test_the_readme_compose_file_parses_with_a_command_and_variables_the_simulator_knows():
    base, override = (yaml.safe_load(block) for block in _blocks(_section("In containers"), "yaml"))
    sim = base["services"]["voicesim"]
    command = sim["command"]
    assert command[:2] == ["voicesim", "serve"]
    args = build_parser().parse_args(command[1:])  # exits on an unknown flag
    assert args.host == "0.0.0.0"  # reachable by the other services of the compose network
    assert args.port == int(sim["ports"][0].split(":")[1])
    for doc in (base, override):
        env = doc["services"]["voicesim"]["environment"]
        assert set(env) <= KNOWN_VARIABLES, set(env) - KNOWN_VARIABLES
        config.from_env({k: str(v) for k, v in env.items()})  # every value parses
    assert config.from_env(override["services"]["voicesim"]["environment"])["tls_names"] == ("voicesim",)
    assert base["services"]["sp-backend"]["depends_on"]["voicesim"]["condition"] == "service_healthy"
    volume = sim["volumes"][0].split(":")[0]
    assert volume in base["volumes"] and override["services"]["sp-backend"]["volumes"][0].startswith(volume + ":")
    assert sim["environment"]["VOICESIM_DATA_DIR"] == sim["volumes"][0].split(":")[1]


def test_the_testcontainers_snippets_wait_on_the_health_endpoint_at_the_exposed_port():
    section = _section("In containers")
    (python,) = _blocks(section, "python")
    ast.parse(python)
    assert "with_exposed_ports(8090)" in python
    assert 'waiting_for(HttpWaitStrategy(8090, "/_sim/health").for_status_code(200))' in python
    (java,) = _blocks(section, "java")
    assert ".withExposedPorts(8090)" in java
    assert '.waitingFor(Wait.forHttp("/_sim/health").forPort(8090).forStatusCode(200))' in java
    assert java.count("{") == java.count("}")
    for snippet in (python, java):
        for name in re.findall(r"VOICESIM_[A-Z_]+", snippet):
            assert name in KNOWN_VARIABLES, name
