"""The OpenAPI document is valid and complete: every operation declares its path parameters, writes describe a
body, and errors are documented with the ``Errors`` schema."""

from __future__ import annotations

import re
from typing import Any

from openapi_spec_validator import validate
from starlette.testclient import TestClient


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_the_document_is_valid_openapi(client: TestClient) -> None:
    validate(client.get("/api/v1/openapi.json").json())


def test_every_operation_declares_its_path_parameters_a_body_and_its_errors(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    missing = {}
    for method, path, op in _operations(spec):
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        problems = sorted(set(re.findall(r"{(\w+)}", path)) - declared)
        if method in ("post", "put", "patch") and "requestBody" not in op:
            problems.append("requestBody")
        errors = [a for code, a in op["responses"].items() if str(code).startswith("4")]
        if not errors or any("content" not in a for a in errors):
            problems.append("4xx")
        if problems:
            missing[f"{method.upper()} {path}"] = problems
    assert (len(_operations(spec)) > 30, missing) == (True, {})
