"""JSON API for patent offers: the same service calls, rules and Chinese errors as the pages.

Each method's docstring carries its OpenAPI operation (YAML), read by Starlette's SchemaGenerator.
"""

from __future__ import annotations

from typing import Any

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.services import offers
from matchmaker.web.pages.offers import filters_from
from matchmaker.web.security import query_int, read_json, require_actor


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise ValidationFailed([FieldError(name, f"{name} 必须是 true 或 false")])
    return value


def _status(body: dict[str, Any], default: str | None = None) -> str:
    value = body.get("status", default)
    if not isinstance(value, str):
        raise ValidationFailed([FieldError("status", "状态（status）必须是字符串，如「发布」")])
    return value


class OfferCollection(HTTPEndpoint):
    def get(self, request: Request) -> Response:
        """
        summary: 专利成果列表（与页面相同的筛选、排序、分页）
        parameters:
          - {name: q, in: query, schema: {type: string}, description: 专利名称关键词}
          - {name: field, in: query, schema: {type: string}, description: 所属领域}
          - {name: institution_id, in: query, schema: {type: integer}}
          - {name: patent_type, in: query, schema: {type: string, enum: [发明, 实用新型, 外观设计]}}
          - {name: legal_status, in: query, schema: {type: string, enum: [有效, 审中, 失效]}}
          - {name: status, in: query, schema: {type: string, enum: [草稿, 发布, 已转化, 撤回]}}
          - {name: trl_min, in: query, schema: {type: integer}}
          - {name: trl_max, in: query, schema: {type: integer}}
          - {name: price_min, in: query, schema: {type: integer}, description: 万元}
          - {name: price_max, in: query, schema: {type: integer}, description: 万元}
          - {name: mine, in: query, schema: {type: boolean}, description: 只看本单位}
          - {name: sort, in: query, schema: {type: string, enum: [updated, created, price_asc, price_desc, trl_desc, title]}}
          - {name: page, in: query, schema: {type: integer}}
          - {name: per_page, in: query, schema: {type: integer, maximum: 200}}
        responses:
          200: {description: "{items, total, page, pages}；草稿与撤回的成果只对本单位与管理员可见"}
          401: {description: 未登录}
        """
        actor = require_actor(request)
        params = request.query_params
        with request.app.state.services.session() as session:
            result = offers.list_offers(
                session, actor,
                filters_from(params, mine=params.get("mine", "") in ("1", "true")),
                sort=params.get("sort", "updated"), page=query_int(request, "page", 1),
                per_page=query_int(request, "per_page", offers.PER_PAGE, maximum=200),
            )  # fmt: skip
        return JSONResponse({
            "items": [offers.as_json(r.offer, r.institution) for r in result.rows],
            "total": result.total, "page": result.page, "pages": result.pages,
        })  # fmt: skip

    def post(self, request: Request) -> Response:
        """
        summary: 登记专利成果
        description: >
          字段同表单：title, abstract, claims, application_number, patent_type, legal_status, ipc（数组或分号分隔）,
          inventors（数组或顿号分隔）, institution（单位名称，科研人员默认本单位）, transfer_modes（数组）,
          price_wan（整数万元，null 为面议；也可写区间 "20-30"，上限在响应的 price_max_wan 中）, trl, field, contact；
          status 为 草稿（默认）或 发布。
          标题与本单位已有成果几乎相同时返回 422，确认不是重复后带 "confirm_duplicate": true 重新提交。
        responses:
          201: {description: 已登记的成果}
          401: {description: 未登录}
          403: {description: 不能为其他单位登记}
          422: {description: "字段错误，或重复：{errors: [{field, message}]}"}
        """
        actor = require_actor(request)
        body = read_json(request)
        services = request.app.state.services
        with services.transaction() as session:
            offer = offers.create_offer(
                session,
                actor,
                body,
                fields=services.reference.fields,
                status=_status(body, "草稿"),
                confirm_duplicate=_flag(body, "confirm_duplicate"),
            )
        return _offer_response(request, offer.id or 0, status_code=201)


def _offer_response(request: Request, offer_id: int, status_code: int = 200) -> Response:
    with request.app.state.services.session() as session:
        detail = offers.get_offer(session, require_actor(request), offer_id)
    return JSONResponse(
        offers.as_json(detail.offer, detail.institution.canonical_name), status_code=status_code
    )


class OfferItem(HTTPEndpoint):
    def get(self, request: Request) -> Response:
        """
        summary: 一项专利成果
        responses:
          200: {description: 成果（含权利人规范名称）}
          404: {description: 不存在，或无权查看的草稿/撤回成果}
        """
        return _offer_response(request, request.path_params["offer_id"])

    def put(self, request: Request) -> Response:
        """
        summary: 修改专利成果（整体替换可编辑字段）
        responses:
          200: {description: 修改后的成果}
          403: {description: 不是本单位的成果}
          404: {description: 不存在}
          422: {description: 字段错误或重复}
        """
        return _update(request, partial=False)

    def patch(self, request: Request) -> Response:
        """
        summary: 修改专利成果（只改给出的字段）
        responses:
          200: {description: 修改后的成果}
          403: {description: 不是本单位的成果}
          404: {description: 不存在}
          422: {description: 字段错误或重复}
        """
        return _update(request, partial=True)


def _update(request: Request, *, partial: bool) -> Response:
    """PUT replaces the editable fields; PATCH starts from the stored ones and changes those given."""
    actor = require_actor(request)
    body = read_json(request)
    offer_id = request.path_params["offer_id"]
    services = request.app.state.services
    with services.transaction() as session:
        values = body
        if partial:
            current = offers.get_offer(session, actor, offer_id)
            values = {**offers.form_values(current.offer, current.institution.canonical_name), **body}
            if "price_wan" in body:
                values["price_negotiable"] = body["price_wan"] is None
        offers.update_offer(
            session,
            actor,
            offer_id,
            values,
            fields=services.reference.fields,
            confirm_duplicate=_flag(body, "confirm_duplicate"),
        )
    return _offer_response(request, offer_id)


def offer_status(request: Request) -> Response:
    """
    summary: 变更成果状态（草稿 → 发布 → 已转化 / 撤回，撤回 → 草稿）
    description: '请求体 {"status": "发布"}'
    responses:
      200: {description: 变更后的成果}
      403: {description: 不是本单位的成果}
      404: {description: 不存在}
      422: {description: 不允许的状态变更}
    """
    actor = require_actor(request)
    body = read_json(request)
    offer_id = request.path_params["offer_id"]
    with request.app.state.services.transaction() as session:
        offers.change_status(session, actor, offer_id, _status(body))
    return _offer_response(request, offer_id)


routes = [
    Route("/api/v1/offers", OfferCollection),
    Route("/api/v1/offers/{offer_id:int}", OfferItem),
    Route("/api/v1/offers/{offer_id:int}/status", offer_status, methods=["POST"]),
]
