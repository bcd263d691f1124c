"""JSON API basics: who am I, reference data, institutions, and the OpenAPI document.

Each endpoint's docstring carries its OpenAPI operation (YAML), read by Starlette's SchemaGenerator.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.schemas import SchemaGenerator

from matchmaker.domain.vocab import ROLE_LABELS
from matchmaker.services import institutions
from matchmaker.web.security import require_actor

schemas = SchemaGenerator(
    {
        "openapi": "3.0.3",
        "info": {
            "title": "matchmaker 溧阳技术转移对接平台 API",
            "version": "1",
            "description": "会话 Cookie（写操作需带 X-CSRF-Token 请求头）或 `Authorization: Bearer <API 令牌>`。"
            '错误统一为 {"errors": [{"field": ..., "message": ...}]}，状态码 4xx。',
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Errors": {
                    "type": "object",
                    "properties": {
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                            },
                        }
                    },
                }
            },
        },
        "security": [{"bearer": []}],
    }
)


def me(request: Request) -> Response:
    """
    summary: 当前用户
    responses:
      200: {description: 当前登录用户的信息}
      401: {description: 未登录}
    """
    actor = require_actor(request)
    return JSONResponse(
        {
            "id": actor.id,
            "username": actor.username,
            "display_name": actor.display_name,
            "role": actor.role,
            "role_label": ROLE_LABELS.get(actor.role, ""),
            "institution_id": actor.institution_id,
            "company_id": actor.company_id,
        }
    )


def reference(request: Request) -> Response:
    """
    summary: 参考数据（产业领域、镇街园区、合同技术领域）
    responses:
      200: {description: 参考数据}
    """
    require_actor(request)
    ref = request.app.state.services.reference
    return JSONResponse(
        {"fields": list(ref.fields), "towns": list(ref.towns), "contract_fields": list(ref.contract_fields)}
    )


def institution_list(request: Request) -> Response:
    """
    summary: 单位及别名；带 ?name= 时返回名称规范化结果
    responses:
      200: {description: 单位列表}
    """
    require_actor(request)
    services = request.app.state.services
    with services.session() as session:
        aliases = institutions.aliases_by_institution(session)
        items = [
            {
                "id": i.id,
                "canonical_name": i.canonical_name,
                "short_name": i.short_name,
                "kind": i.kind,
                "aliases": [a.alias for a in aliases.get(i.id or 0, [])],
            }
            for i in institutions.all_institutions(session)
        ]
        name = request.query_params.get("name", "").strip()
        body: dict[str, object] = {"items": items}
        if name:
            res = institutions.normalizer(session).resolve(name)
            body["resolution"] = {
                "input": name,
                "canonical": res.canonical,
                "score": round(res.score, 1),
                "method": res.method,
            }
    return JSONResponse(body)


_PATH_PARAM = re.compile(r"{(\w+)}")
_ERRORS = {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}
_WRITES = ("post", "put", "patch")
_METHODS = ("get", "post", "put", "patch", "delete")


def openapi_document(routes: list[BaseRoute]) -> dict[str, Any]:
    """The OpenAPI document: each operation as its docstring describes it, completed here in one place so none
    can go without what every operation has: its path parameters (ids are integers of at most 18 digits), a JSON
    object body for writes that do not describe theirs, and the error answer (4XX, ``Errors``)."""
    document = schemas.get_schema(routes=routes)
    for path, operations in document.get("paths", {}).items():
        names = _PATH_PARAM.findall(path)
        for method in list(operations):
            operation = operations[method]
            described = [k for k in operation if k in _METHODS and isinstance(operation[k], dict)]
            if (
                described
            ):  # one function's docstring describing several methods (get:, put: …): take this one's
                twin = {"patch": "put", "put": "patch"}.get(method, "")
                operation = operations[method] = dict(
                    operation.get(method) or operation.get(twin) or operation[described[-1]]
                )
            declared = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "path"}
            operation.setdefault("parameters", []).extend(
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}
                    if name.endswith("id") or name in ("pid", "mid")
                    else {"type": "string"},
                }
                for name in names
                if name not in declared
            )
            if not operation["parameters"]:
                del operation["parameters"]
            if method in _WRITES and "requestBody" not in operation:
                operation["requestBody"] = {
                    "required": False,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            responses = operation.setdefault("responses", {})
            if not any(str(code).startswith("4") for code in responses):
                responses["4XX"] = {"description": "请求有误、未登录、无权限或不存在（errors 指明字段）"}
            for code, answer in responses.items():
                if str(code).startswith("4") and isinstance(answer, dict):
                    answer.setdefault("content", _ERRORS)
    return document


def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document(list(request.app.routes)))


routes = [
    Route("/api/v1/me", me),
    Route("/api/v1/reference", reference),
    Route("/api/v1/institutions", institution_list),
    Route("/api/v1/openapi.json", openapi, include_in_schema=False),
]
