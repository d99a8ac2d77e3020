"""The OpenAPI document: every endpoint under /v1 with a stable operation id, the bodies read
by hand documented with their examples, and every reference resolving."""

from __future__ import annotations

import json
from typing import Any

import pytest

from api.keys import Role
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
        "list_travel_models",
        "create_rota",
        "list_rotas",
        "get_rota",
        "get_rota_map",
        "get_rota_map_svg",
        "get_rota_timeline_svg",
        "get_rota_csv",
        "get_rota_plan",
        "replan_rota",
        "get_rota_changes",
        "get_rota_runsheet",
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


def _valid(document: dict[str, Any], model: str, body: Any) -> bool:
    """Whether ``body`` fits component ``model`` of the served document."""
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    schema = {"$ref": f"#/components/schemas/{model}", "components": document["components"]}
    return bool(jsonschema_rs.validator_for(schema).is_valid(body))


def test_a_body_needs_a_scenario_or_a_shipped_name_as_the_schema_says(held: Service) -> None:
    document = held.client.get("/openapi.json").json()
    tiny = {"name": "t", "carers": [], "clients": [], "visits": []}
    for model in ("RotaCreate", "CompareCreate"):
        assert _valid(document, model, {"shipped": "small"})
        assert _valid(document, model, {"scenario": tiny, "shipped": None})
        assert not _valid(document, model, {"options": {"time_limit_s": 10}})
        assert not _valid(document, model, {"scenario": None, "shipped": None})
        assert not _valid(document, model, {"scenario": tiny, "shipped": "small"})
        assert not _valid(document, model, {"shipped": "nowhere"})  # shipped ones only
    neither = held.client.post("/v1/rotas", json={}, headers=held.as_(Role.COORDINATOR))
    assert neither.status_code == 422


def test_the_document_says_this_services_scenarios_and_time_limit(held: Service) -> None:
    document = held.client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    listed = held.client.get("/v1/scenarios", headers=held.as_(Role.VIEWER)).json()
    names = [shipped["name"] for shipped in listed]
    assert schemas["WhatIfCreate"]["properties"]["base"]["enum"] == names
    limit = held.settings.max_time_limit_s
    assert schemas["RotaOptions"]["properties"]["time_limit_s"]["maximum"] == limit
    form = document["paths"]["/v1/rotas"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert form["schema"]["properties"]["time_limit_s"]["maximum"] == limit
    assert not _valid(document, "RotaOptions", {"time_limit_s": limit + 1})
    assert not _valid(document, "RotaOptions", {"travel_weight": 10**12})


def test_errors_are_documented_as_json_even_where_success_is_html(held: Service) -> None:
    document = held.client.get("/openapi.json").json()
    answers = document["paths"]["/v1/rotas/{job_id}/map"]["get"]["responses"]
    assert list(answers["200"]["content"]) == ["text/html"]
    for status in ("401", "403", "404", "409", "422", "503"):
        assert list(answers[status]["content"]) == ["application/json"], status
    answer = held.client.get("/v1/rotas/x/map?date=tomorrow", headers=held.as_(Role.VIEWER))
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/json"


def test_a_malformed_form_is_422_as_documented(held: Service) -> None:
    boundary = "b0undary"
    answer = held.client.post(
        "/v1/rotas",
        content=f"--{boundary}\r\n[]--{boundary}--\r\n".encode(),
        headers=held.as_(Role.COORDINATOR)
        | {"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert answer.status_code == 422
    [issue] = answer.json()["issues"]
    assert issue["code"] == "invalid_form" and issue["file"] == "request"
    document = held.client.get("/openapi.json").json()
    assert "multipart" in document["paths"]["/v1/rotas"]["post"]["responses"]["422"]["description"]
