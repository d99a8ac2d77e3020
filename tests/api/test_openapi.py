"""The OpenAPI document: every endpoint under /v1 with a stable operation id, the bodies read
by hand documented with their examples, and every reference resolving."""

from __future__ import annotations

import json
from typing import Any

from tests.api.conftest import Service


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def test_the_document_lists_every_operation(held: Service) -> None:
    document = held.client.get("/openapi.json").json()
    operations = {
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
    }
    assert operations == {
        "healthz",
        "list_scenarios",
        "create_rota",
        "list_rotas",
        "get_rota",
        "get_rota_map",
        "get_rota_map_svg",
        "get_rota_timeline_svg",
        "get_rota_csv",
        "get_rota_plan",
        "create_comparison",
        "get_comparison",
        "get_comparison_report",
        "create_whatif",
        "get_whatif",
        "get_whatif_csv",
        "get_whatif_report",
        "get_whatif_coverage_svg",
        "get_whatif_tradeoff_svg",
    }
    assert all(path.startswith("/v1/") or path == "/healthz" for path in document["paths"])
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_the_request_bodies_are_documented_with_examples(held: Service) -> None:
    document = held.client.get("/openapi.json").json()
    body = document["paths"]["/v1/rotas"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/RotaCreate"}
    examples = [e["value"] for e in body["application/json"]["examples"].values()]
    assert examples[0] == {"shipped": "small", "options": {"time_limit_s": 10}}
    form = body["multipart/form-data"]["schema"]["properties"]
    assert form["visits"]["format"] == "binary" and "time_limit_s" in form
    compare = document["paths"]["/v1/compare"]["post"]["requestBody"]["content"]
    assert "manual_rota" in compare["multipart/form-data"]["schema"]["properties"]
    problem = document["paths"]["/v1/rotas"]["post"]["responses"]["422"]
    assert problem["content"]["application/json"]["schema"]["$ref"].endswith("/Problem")


def test_every_reference_resolves(held: Service) -> None:
    document = held.client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    missing = {
        ref for ref in _refs(document) if ref.removeprefix("#/components/schemas/") not in schemas
    }
    assert missing == set(), json.dumps(sorted(missing))
