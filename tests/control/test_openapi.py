"""The OpenAPI document: shipped, served, and true to both route tables."""
from __future__ import annotations

import json
import re
from importlib import resources

import aiohttp
from jsonschema import Draft202012Validator

from simulator.api.routes import ROUTES
from simulator.control import TABLE

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _shipped() -> dict:
    return json.loads(resources.files("simulator.control").joinpath("openapi.json").read_text("utf-8"))


def _operations(doc: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in doc["paths"].items() for method in item if method in METHODS}


def test_every_route_is_in_the_document_and_every_operation_is_a_route():
    routes = {(method, path) for method, path, _ in ROUTES}
    routes |= {(method, path) for path, methods in TABLE.items() for method in methods}
    documented = _operations(_shipped())
    assert routes - documented == set(), "routes the document lacks"
    assert documented - routes == set(), "operations no route serves"


def test_the_document_is_openapi_3_1_and_every_reference_resolves():
    doc = _shipped()
    assert doc["openapi"].startswith("3.1")
    text = json.dumps(doc)
    for name in set(re.findall(r'"#/components/(?:schemas|responses)/([A-Za-z0-9]+)"', text)):
        assert name in doc["components"]["schemas"] or name in doc["components"]["responses"], name
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)  # OpenAPI 3.1 schemas are JSON Schema 2020-12
    ids = [o["operationId"] for item in doc["paths"].values() for m, o in item.items() if m in METHODS]
    assert len(ids) == len(set(ids))


async def test_served_at_sim_openapi_json_with_this_server_as_its_server(sim):
    async with aiohttp.ClientSession() as s:
        async with s.get(sim.base_url + "/_sim/openapi.json") as resp:
            assert resp.status == 200 and resp.content_type == "application/json"
            doc = await resp.json()
    assert doc["servers"] == [{"url": sim.base_url}]
    assert _operations(doc) == _operations(_shipped())
