"""JSON API for match suggestions and judgements: the same services, privacy and permissions as the pages.

Needs in suggestions pass through ``services.needs.visible_need``: a private budget or contact is null with
``budget_hidden``/``contact_hidden`` true, and the price reason then names only the offer's price.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.services import judgements, matching, needs, offers
from matchmaker.web.security import query_int, read_json, require_actor


def _answer(result: matching.MatchList, key: str, record_id: int) -> Response:
    if result.state in ("building", "failed"):
        return JSONResponse(
            {
                "errors": [{"field": "", "message": result.message}],
                "progress": {"done": result.done, "total": result.total},
            },
            status_code=503,
            headers={"Retry-After": "10"},
        )
    return JSONResponse(
        {
            key: record_id,
            "state": result.state,
            "message": result.message,
            "matches": [s.to_json() for s in result.items],
        }
    )


def need_matches(request: Request) -> Response:
    """
    get:
      summary: 可能解决该需求的专利成果（按综合得分排序，带理由）
      description: >
        每项含 score（融合得分）、relative_score（占满分比例，0–1）、signals（各信号 0–1）、
        reasons（[{kind, values, text}]：values 为理由所引用的数据，text 为中文表述；kind 为 terms / semantic / field / ipc / price / readiness / mode / legal）与成果摘要。
        查看者看不到该需求的预算时，价格理由只写成果报价，并且不返回 price 信号。
        需求已解决或关闭时 state 为 not_indexed，matches 为空。
      parameters:
        - {name: k, in: query, description: 返回条数（1–50，默认 10）, schema: {type: integer, minimum: 1, maximum: 50}}
      responses:
        200: {description: "{need_id, state, message, matches: [{need_id, offer_id, score, relative_score, signals, reasons, offer}]}"}
        401: {description: 未登录}
        404: {description: 需求不存在}
        503: {description: 匹配索引正在建立（带 progress 与 Retry-After），稍后再试}
    """
    actor = require_actor(request)
    services = request.app.state.services
    need_id = request.path_params["need_id"]
    with services.session() as session:
        view = needs.view_one(session, need_id, actor)
    result = matching.offers_for_need(services, actor, view, query_int(request, "k", 10, maximum=50))
    return _answer(result, "need_id", need_id)


def offer_matches(request: Request) -> Response:
    """
    get:
      summary: 该成果可能服务的技术需求（成果所属单位的科研人员、组织者、知识产权局、管理员）
      description: >
        每项的 need 按查看者权限隐去未公开的联系方式和预算（null，并带 contact_hidden / budget_hidden）；
        看不到预算时价格理由只写成果报价，并且不返回 price 信号。只有已发布的成果参与匹配，否则 state 为 not_indexed。
      parameters:
        - {name: k, in: query, description: 返回条数（1–50，默认 10）, schema: {type: integer, minimum: 1, maximum: 50}}
      responses:
        200: {description: "{offer_id, state, message, matches: [{need_id, offer_id, score, relative_score, signals, reasons, need}]}"}
        401: {description: 未登录}
        403: {description: 无权查看该成果匹配的需求}
        404: {description: 成果不存在或不可见}
        503: {description: 匹配索引正在建立（带 progress 与 Retry-After），稍后再试}
    """
    actor = require_actor(request)
    services = request.app.state.services
    offer_id = request.path_params["offer_id"]
    with services.session() as session:
        offer = offers.get_offer(session, actor, offer_id).offer
    result = matching.needs_for_offer(services, actor, offer, query_int(request, "k", 10, maximum=50))
    return _answer(result, "offer_id", offer_id)


def _int_field(body: dict[str, object], name: str, label: str) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed([FieldError(name, f"{label}必须是整数编号")])
    return value


def judgement_collection(request: Request) -> Response:
    """
    post:
      summary: 评价一个推荐配对（对接会组织者）：好匹配（2 分）或不相关（0 分），记录评价人与时间
      description: 同一组织者再次评价同一配对时修改原评价（操作日志记录原值 → 新值）。
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [need_id, offer_id, label]
              properties:
                need_id: {type: integer}
                offer_id: {type: integer}
                label: {type: string, enum: [好匹配, 不相关]}
                note: {type: string, maxLength: 500}
      responses:
        201: {description: "{id, need_id, offer_id, label, grade, source, note, user_id, at}"}
        403: {description: 只有组织者可以评价}
        404: {description: 需求或成果不存在}
        422: {description: "输入有误：{errors: [{field, message}]}"}
    get:
      summary: 评价列表（对接会组织者）：组织者评价、会谈结果、会谈申请答复
      parameters:
        - {name: label, in: query, schema: {type: string}}
        - {name: source, in: query, schema: {type: string, enum: [organizer, meeting, request]}}
        - {name: q, in: query, description: 需求或成果名称包含, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer, minimum: 1}}
      responses:
        200: {description: "{items, total, page, pages}"}
        403: {description: 只有组织者可以查看}
    """
    services = request.app.state.services
    if request.method == "POST":
        actor = require_actor(request)
        body = read_json(request)
        need_id = _int_field(body, "need_id", "需求")
        offer_id = _int_field(body, "offer_id", "成果")
        note = body.get("note", "")
        with services.transaction() as session:
            judgement = judgements.mark(
                session,
                actor,
                need_id,
                offer_id,
                str(body.get("label", "")),
                note if isinstance(note, str) else "",
            )
            document = judgements.to_json(judgement)
        return JSONResponse(document, status_code=201)
    require_actor(request, ("organizer",))
    params = request.query_params
    filters = judgements.JudgementFilters(
        label=params.get("label", ""), source=params.get("source", ""), q=params.get("q", "").strip()
    )
    with services.session() as session:
        page = judgements.list_judgements(session, filters, page=query_int(request, "page", 1))
    items = [
        {
            "id": r.id,
            "at": r.at.isoformat(),
            "need_id": r.need_id,
            "need_title": r.need_title,
            "offer_id": r.offer_id,
            "offer_title": r.offer_title,
            "label": r.label,
            "grade": r.grade,
            "source": r.source,
            "username": r.username,
            "note": r.note,
        }
        for r in page.rows
    ]
    return JSONResponse({"items": items, "total": page.total, "page": page.page, "pages": page.pages})


routes = [
    Route("/api/v1/needs/{need_id:int}/matches", need_matches),
    Route("/api/v1/offers/{offer_id:int}/matches", offer_matches),
    Route("/api/v1/judgements", judgement_collection, methods=["GET", "POST"]),
]
