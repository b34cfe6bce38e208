"""schemathesis against a live ``voicesim serve``: generated requests for every operation of the
OpenAPI document (signed and unsigned), no server errors, and every answer as the document says.

Bounded: a few examples per operation, so the run stays well under a minute. The dashboard's
feed is left out (a Server-Sent Events stream does not end).
"""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from simulator.auth import request_headers
from simulator.config import DEMO_APP_KEY, DEMO_APP_SECRET
from simulator.control.openapi import document
from tests.helpers import free_port, stop_process

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
_signing = itertools.count()



@pytest.fixture(scope="module")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "server.log"


@pytest.fixture(scope="module")
def live(server_log: Path) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOICESIM_")}
    with server_log.open("wb") as log:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--port", str(port), "--manual-clock",
                                 "true"], env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(base + "/_sim/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield base
    finally:
        stop_process(proc)


# The shipped document, as the live server serves it (test_openapi checks that they are the same).
schema = schemathesis.openapi.from_dict(document())


@schema.exclude(path="/_sim/ui/feed").parametrize()
@settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case: Any, live: str) -> None:
    headers = {}
    if case.path.startswith("/rest/") and next(_signing) % 2 == 0:  # half signed: past auth to the field rules
        headers = request_headers(DEMO_APP_KEY, DEMO_APP_SECRET)
    case.call_and_validate(base_url=live, headers=headers, checks=CHECKS, timeout=10)


def test_afterwards_the_server_is_healthy_and_logged_no_traceback(live: str, server_log: Path) -> None:
    health = requests.get(live + "/_sim/health", timeout=1)  # answers within a second
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert "Traceback" not in server_log.read_text(errors="replace")
