"""JSON API basics: who am I, reference data, institutions, and the OpenAPI document.

Each endpoint's docstring carries its OpenAPI operation (YAML), read by Starlette's SchemaGenerator.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
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


def openapi(request: Request) -> Response:
    return JSONResponse(schemas.get_schema(routes=request.app.routes))


routes = [
    Route("/api/v1/me", me),
    Route("/api/v1/reference", reference),
    Route("/api/v1/institutions", institution_list),
    Route("/api/v1/openapi.json", openapi, include_in_schema=False),
]
