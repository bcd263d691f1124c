"""JSON API for companies, needs and offer search: the same services, rules and errors as the pages.

Needs are always serialised through ``NeedView.to_json`` (built by ``services.needs.visible_need``), so a private
contact or budget is null with ``contact_hidden``/``budget_hidden`` true for anyone outside the owning company,
organizers, the bureau and admins.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from matchmaker.search import MARK_END, MARK_START, marked_html
from matchmaker.services import companies, needs
from matchmaker.services import search as offer_search
from matchmaker.web.pages.needs import today
from matchmaker.web.pages.search import message_for, read_search_input
from matchmaker.web.security import query_int, read_json, require_actor


def _current_raw(need: Any) -> dict[str, Any]:
    return {
        "title": need.title,
        "description": need.description,
        "expected_outcome": need.expected_outcome,
        "field": need.field,
        "budget_min_wan": need.budget_min_wan,
        "budget_max_wan": need.budget_max_wan,
        "budget_negotiable": need.budget_min_wan is None and need.budget_max_wan is None,
        "coop_modes": list(need.coop_modes),
        "deadline": need.deadline.isoformat() if need.deadline else None,
        "contact": need.contact,
        "contact_public": need.contact_public,
        "budget_public": need.budget_public,
    }


def need_collection(request: Request) -> Response:
    """
    get:
      summary: 技术需求列表（他企业未公开的联系方式和预算为 null，并标记 contact_hidden / budget_hidden）
      parameters:
        - {name: status, in: query, schema: {type: string, enum: [开放, 对接中, 已解决, 关闭]}}
        - {name: field, in: query, schema: {type: string}}
        - {name: q, in: query, description: 在名称、描述、预期成果中查找, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer, minimum: 1}}
      responses:
        200: {description: "{items, total, page, pages}"}
        401: {description: 未登录}
    post:
      summary: 发布技术需求（企业技术人员，为本企业发布）
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [title, description, field, coop_modes, contact]
              properties:
                title: {type: string, maxLength: 200}
                description: {type: string, maxLength: 5000}
                expected_outcome: {type: string, maxLength: 200}
                field: {type: string, description: 产业领域（见 /api/v1/reference）}
                budget_min_wan: {type: integer, nullable: true, description: 预算下限，整数万元}
                budget_max_wan: {type: integer, nullable: true, description: 预算上限，整数万元}
                budget_negotiable: {type: boolean, description: 面议（此时不填金额）}
                coop_modes: {type: array, items: {type: string, enum: [转让, 许可, 作价入股, 合作开发, 技术咨询]}}
                deadline: {type: string, format: date, description: 不能早于今天}
                contact: {type: string, maxLength: 100}
                contact_public: {type: boolean}
                budget_public: {type: boolean}
      responses:
        201: {description: 已创建的需求}
        403: {description: 无权限}
        409: {description: 账号尚未登记企业}
        422: {description: "输入有误：{errors: [{field, message}]}"}
    """
    actor = require_actor(request)
    services = request.app.state.services
    if request.method == "POST":
        body = read_json(request)
        with services.transaction() as session:
            need = needs.create_need(session, actor, body, fields=services.reference.fields, today=today())
            assert need.id is not None
            view = needs.view_one(session, need.id, actor)
        return JSONResponse(view.to_json(), status_code=201)
    params = request.query_params
    filters = needs.NeedFilters(
        status=params.get("status", ""), field=params.get("field", ""), q=params.get("q", "").strip()
    )
    with services.session() as session:
        result = needs.list_needs(session, actor, filters, page=query_int(request, "page", 1), per_page=50)
    return JSONResponse(
        {
            "items": [v.to_json() for v in result.items],
            "total": result.total,
            "page": result.page,
            "pages": result.pages,
        }
    )


def need_item(request: Request) -> Response:
    """
    get:
      summary: 一条技术需求（按查看者权限隐去未公开字段）
      responses:
        200: {description: 需求}
        404: {description: 不存在}
    patch:
      summary: 修改技术需求（本企业用户或管理员）；只需给出要修改的字段
      responses:
        200: {description: 修改后的需求}
        403: {description: 无权限}
        409: {description: 需求已解决或关闭}
        422: {description: "输入有误：{errors: [{field, message}]}"}
    """
    actor = require_actor(request)
    services = request.app.state.services
    need_id = request.path_params["need_id"]
    if request.method == "PATCH":
        body = read_json(request)
        with services.transaction() as session:
            raw = _current_raw(needs.need_for_edit(session, actor, need_id))
            if ("budget_min_wan" in body or "budget_max_wan" in body) and "budget_negotiable" not in body:
                body["budget_negotiable"] = False
            raw.update(body)
            needs.update_need(session, actor, need_id, raw, fields=services.reference.fields, today=today())
    with services.session() as session:
        return JSONResponse(needs.view_one(session, need_id, actor).to_json())


def need_status(request: Request) -> Response:
    """
    post:
      summary: 变更需求状态（开放 → 对接中 → 已解决 / 关闭）
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [status], properties: {status: {type: string}}}
      responses:
        200: {description: 变更后的需求}
        403: {description: 无权限}
        422: {description: 不允许的状态变更}
    """
    actor = require_actor(request)
    services = request.app.state.services
    need_id = request.path_params["need_id"]
    body = read_json(request)
    with services.transaction() as session:
        needs.change_status(session, actor, need_id, str(body.get("status", "")))
    with services.session() as session:
        return JSONResponse(needs.view_one(session, need_id, actor).to_json())


def search_offers(request: Request) -> Response:
    """
    get:
      summary: 检索专利成果（关键词或问题描述；按相关程度排序）
      description: 标题与摘要片段中的命中词用 <mark>…</mark> 标出（其余内容已做 HTML 转义）。
      parameters:
        - {name: q, in: query, description: 关键词或一两句问题描述, schema: {type: string}}
        - {name: field, in: query, schema: {type: string}}
        - {name: institution, in: query, description: 单位编号, schema: {type: integer}}
        - {name: patent_type, in: query, schema: {type: string, enum: [发明, 实用新型, 外观设计]}}
        - {name: trl, in: query, description: 技术成熟度不低于, schema: {type: integer, minimum: 1, maximum: 9}}
        - {name: budget, in: query, description: 预算（万元），保留价格不高于预算及面议的成果, schema: {type: integer}}
        - {name: page, in: query, schema: {type: integer, minimum: 1}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 50}}
      responses:
        200: {description: "{items, total, page, pages, terms, message, notes}"}
        401: {description: 未登录}
    """
    require_actor(request)
    services = request.app.state.services
    search = read_search_input(dict(request.query_params))
    per_page = query_int(request, "per_page", 10, maximum=50)
    result = None
    cards: dict[int, offer_search.OfferCard] = {}
    with services.session() as session:
        if search.query or search.filters.active:
            result, cards = offer_search.search_offers(
                services,
                session,
                search.query,
                search.filters,
                page=query_int(request, "page", 1),
                per_page=per_page,
            )
    items = [
        {
            "id": h.id,
            "score": h.score,
            "title_html": marked_html(h.title),
            "snippet_html": marked_html(h.snippet),
            "title": h.title.replace(MARK_START, "").replace(MARK_END, ""),
            "institution": cards[h.id].institution,
            "field": cards[h.id].field,
            "patent_type": cards[h.id].patent_type,
            "trl": cards[h.id].trl,
            "price_wan": cards[h.id].price_wan,
            "url": f"/offers/{h.id}",
        }
        for h in (result.hits if result else [])
        if h.id in cards
    ]
    return JSONResponse(
        {
            "items": items,
            "total": result.total if result else 0,
            "page": result.page if result else 1,
            "pages": result.pages if result else 1,
            "terms": list(result.terms) if result else [],
            "message": message_for(search, result),
            "notes": list(search.notes),
        }
    )


def company_register(request: Request) -> Response:
    """
    post:
      summary: 登记本人所在企业（企业技术人员，尚未绑定企业时）；已登记的信用代码会被拒绝，请联系管理员加入
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [name, credit_code, town, field]
              properties:
                name: {type: string}
                credit_code: {type: string, description: 18 位统一社会信用代码}
                town: {type: string, description: 镇街或园区（见 /api/v1/reference）}
                field: {type: string}
                description: {type: string}
      responses:
        201: {description: 已登记的企业}
        409: {description: 账号已属于一家企业}
        422: {description: "输入有误：{errors: [{field, message}]}"}
    """
    actor = require_actor(request)
    services = request.app.state.services
    body = read_json(request)
    with services.transaction() as session:
        company = companies.register_company(
            session, actor, body, towns=services.reference.towns, fields=services.reference.fields
        )
    return JSONResponse(
        {
            "id": company.id,
            "name": company.name,
            "credit_code": company.credit_code,
            "town": company.town,
            "field": company.field,
            "description": company.description,
        },
        status_code=201,
    )


routes = [
    Route("/api/v1/needs", need_collection, methods=["GET", "POST"]),
    Route("/api/v1/needs/{need_id:int}", need_item, methods=["GET", "PATCH"]),
    Route("/api/v1/needs/{need_id:int}/status", need_status, methods=["POST"]),
    Route("/api/v1/search/offers", search_offers),
    Route("/api/v1/companies", company_register, methods=["POST"]),
]
