"""The OpenAPI document: every operation declares its success with a schema and its errors as
problem+json, and the document carries the package's version."""

from __future__ import annotations

import json
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from settings import Settings
from stores import open_ledger

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
WRITES = {"post", "put", "patch", "delete"}


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The document as the app serves it: made once, on SQLite (routes and schemas are the same
    whichever store is behind the app; every route runs on both stores in its own tests)."""
    folder = tmp_path_factory.mktemp("openapi")
    ledger = open_ledger(f"sqlite:///{folder}/bangfu.sqlite", master_key_file=folder / "master.key")
    settings = Settings(
        signing_key_file=folder / "signing-key.pem", master_key_file=folder / "master.key"
    )
    try:
        with TestClient(create_app(ledger, settings)) as client:
            response = client.get("/openapi.json")
    finally:
        ledger.close()
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_the_version_is_the_package_version(document: dict[str, Any]) -> None:
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())

    assert document["info"]["version"] == version("bangfu") == pyproject["project"]["version"]


def test_every_operation_declares_its_success_with_a_schema(document: dict[str, Any]) -> None:
    missing = []
    for name, operation in operations(document):
        successes = {s: r for s, r in operation["responses"].items() if s.startswith("2")}
        if len(successes) != 1:
            missing.append(f"{name}: {len(successes)} success responses")
            continue
        (content,) = [r.get("content", {}) for r in successes.values()]
        if not content:
            missing.append(f"{name}: no content")
        for media_type, declared in content.items():
            schema = declared.get("schema") or {}
            if "json" in media_type and "$ref" not in json.dumps(schema):
                missing.append(f"{name}: {media_type} names no component schema: {schema}")
            if "json" not in media_type and "type" not in schema:
                missing.append(f"{name}: {media_type} has no schema")

    assert not missing, "\n".join(missing)
    assert len(operations(document)) >= 40


def test_lists_and_reports_that_download_declare_csv_and_xlsx(document: dict[str, Any]) -> None:
    spreadsheet = {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    for name, operation in operations(document):
        parameters = {p["name"] for p in operation.get("parameters", [])}
        content = set(operation["responses"].get("200", {}).get("content", {}))
        if "format" in parameters:
            assert content == spreadsheet | {"application/json"}, name
        else:
            assert not content & spreadsheet, name


def test_every_error_is_declared_as_problem_json(document: dict[str, Any]) -> None:
    for name, operation in operations(document):
        responses = operation["responses"]
        errors = {s for s in responses if not s.startswith("2")}
        assert "422" in errors, name  # a control character in the URL, at least
        if operation.get("security"):
            assert {"401", "403", "404"} <= errors, name
        if name.split()[0].lower() in WRITES:
            assert {"409", "503"} <= errors, name
        if any(p["name"] == "min_position" for p in operation.get("parameters", [])):
            assert "503" in errors, name
        for status in errors:
            assert responses[status]["content"] == PROBLEM, (name, status)
            assert responses[status]["description"], (name, status)


def test_the_problem_schema_has_the_rfc_9457_members(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["Problem"]

    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    assert "errors" in problem["properties"]
    assert "ProblemField" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_the_public_operations_are_the_ones_without_security(document: dict[str, Any]) -> None:
    public = {name for name, operation in operations(document) if not operation.get("security")}

    assert public <= {
        "GET /health",
        "GET /vocabulary",
        "GET /audit/public-key",
        "GET /audit/public-keys",
    }
