"""JSON API for contracts and statistics. Amounts are decimal strings in 元 ("1250000.00"), never numbers.

Each endpoint's docstring is its OpenAPI operation (YAML), read by Starlette's SchemaGenerator.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from matchmaker.domain.money import fen_to_yuan
from matchmaker.services import contracts, indicators, stats
from matchmaker.web.ids import parse_whole
from matchmaker.web.pages.contracts import ROLES
from matchmaker.web.security import json_text, query_int, read_json, require_actor

STATS_ROLES = ("bureau", "organizer", "admin")


def _yuan(amount_fen: int | None) -> str | None:
    return None if amount_fen is None else format(fen_to_yuan(amount_fen), "f")


def contract_json(c: Any) -> dict[str, Any]:
    return {
        "id": c.id,
        "version": c.version,
        "registration_number": c.registration_number,
        "title": c.title,
        "contract_type": c.contract_type,
        "sub_type": c.sub_type,
        "seller": c.seller_name,
        "seller_institution_id": c.seller_institution_id,
        "buyer": c.buyer_name,
        "buyer_credit_code": c.buyer_credit_code,
        "buyer_company_id": c.buyer_company_id,
        "amount_yuan": _yuan(c.amount_fen),
        "technology_amount_yuan": _yuan(c.technology_amount_fen),
        "signed_on": c.signed_on.isoformat(),
        "registered_on": c.registered_on.isoformat(),
        "valid_from": c.valid_from.isoformat() if c.valid_from else None,
        "valid_to": c.valid_to.isoformat() if c.valid_to else None,
        "field": c.field,
        "town": c.town,
        "offer_id": c.offer_id,
        "need_id": c.need_id,
        "event_id": c.event_id,
        "meeting_id": c.meeting_id,
        "voided": c.voided,
        "void_reason": c.void_reason,
        "warnings": list(c.warnings),
    }


def _input(body: dict[str, Any]) -> dict[str, object]:
    """JSON values as the form would send them: text as is, a JSON number exactly as written (``read_json``
    reads fractions as Decimal, so 12345678901234567.89 keeps its fen; "0.1+0.2" is refused as text), ids as
    they are."""
    out: dict[str, object] = {}
    for name in contracts.INPUT_FIELDS:
        if name in body and body[name] is not None:
            value = body[name]
            out[name] = value if name.endswith("_id") else json_text(value)
    if body.get("version") is not None:  # the version the client read; without it the save is not checked
        out["version"] = json_text(body["version"])
    return out


def contract_collection(request: Request) -> Response:
    """
    get:
      summary: 技术合同列表（可按 q、year、field、town、type、voided=1 筛选，page 分页，每页 50 份）
      responses:
        200: {description: "items 与 total；sum_yuan 为不含作废合同的成交额合计（元，字符串）"}
    post:
      summary: 登记技术合同（知识产权局）
      description: 金额为字符串，可写 "1,234,567.89"、"123.5万" 或中文大写；返回 understood 说明金额读作什么。
      responses:
        201: {description: 已登记的合同}
        422: {description: "输入有误，{errors: [{field, message}]}，不写入任何数据"}
    """
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    if request.method == "POST":
        raw = _input(read_json(request))
        with services.transaction() as session:
            contract = contracts.create_contract(session, actor, services.reference, raw)
        return JSONResponse(
            {**contract_json(contract), "understood": contracts.understood_amounts(raw)}, status_code=201
        )
    params = request.query_params
    year = params.get("year", "")
    filters = contracts.ContractFilters(
        q=params.get("q", ""),
        year=year_number if (year_number := parse_whole(year)) and 1990 <= year_number <= 2100 else None,
        field=params.get("field", ""),
        town=params.get("town", ""),
        contract_type=params.get("type", ""),
        include_voided=params.get("voided") == "1",
    )
    with services.session() as session:
        rows, total, sum_fen = contracts.list_contracts(session, filters, page=query_int(request, "page", 1))
    return JSONResponse(
        {"items": [contract_json(c) for c in rows], "total": total, "sum_yuan": _yuan(sum_fen)}
    )


def contract_item(request: Request) -> Response:
    """
    get:
      summary: 一份技术合同及其变更记录
      responses:
        200: {description: "合同与 history（时间、操作人、字段、原值、新值）"}
        404: {description: 合同不存在}
    put:
      summary: 修改技术合同（只需给出要改的字段）
      responses:
        200: {description: "修改后的合同与 changed（变更的字段）"}
        409: {description: 已作废的合同不能修改}
        422: {description: 输入有误，不写入任何数据}
    """
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    contract_id = request.path_params["contract_id"]
    if request.method in ("PUT", "PATCH"):
        raw = _input(read_json(request))
        with services.transaction() as session:
            changed = contracts.update_contract(session, actor, services.reference, contract_id, raw)
    else:
        changed = []
    with services.session() as session:
        contract = contracts.get_contract(session, contract_id)
        history = [
            {
                "at": e.at.isoformat(),
                "username": e.username,
                "action": e.action,
                "field": e.field,
                "old": e.old,
                "new": e.new,
                "note": e.note,
            }
            for e in contracts.history(session, contract_id)
        ]
    return JSONResponse(
        {
            **contract_json(contract),
            "history": history,
            **({"changed": changed} if request.method != "GET" else {}),
        }
    )


def contract_void(request: Request) -> Response:
    """
    summary: 作废技术合同（需 reason；合同保留，不再计入成交额）
    responses:
      200: {description: 已作废的合同}
      409: {description: 合同已作废}
      422: {description: 缺少作废原因}
    """
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    body = read_json(request)
    with services.transaction() as session:
        contract = contracts.void_contract(
            session, actor, request.path_params["contract_id"], str(body.get("reason") or "")
        )
    return JSONResponse(contract_json(contract))


def _filters(request: Request) -> stats.StatsFilters:
    ref = request.app.state.services.reference
    return stats.parse_filters(request.query_params, fields=ref.contract_fields, towns=ref.towns)


def row_json(r: stats.Row) -> dict[str, Any]:
    return {
        "key": r.key,
        "label": r.label,
        "contracts": r.contracts,
        "amount_yuan": _yuan(r.amount_fen),
        "technology_amount_yuan": _yuan(r.technology_amount_fen),
    }


def stats_turnover(request: Request) -> Response:
    """
    summary: 技术合同成交额：规划期累计与目标、完成比例、剩余年份每年需完成额、逐月累计与直线目标路径；以及筛选范围合计
    description: 筛选参数 year_from、year_to、field、town 作用于 selected。
    responses:
      200: {description: 金额均为元（字符串）}
      422: {description: 筛选参数有误}
    """
    require_actor(request, STATS_ROLES)
    services = request.app.state.services
    filters = _filters(request)
    with services.session() as session:
        found = stats.turnover_plan(session)
        goal = stats.goal(session, *found, date.today()) if found else None
        selected = stats.totals(session, filters)
    body: dict[str, Any] = {"selected": row_json(selected), "goal": None}
    if goal is not None:
        body["goal"] = {
            "plan": goal.plan_name,
            "start_year": goal.start_year,
            "end_year": goal.end_year,
            "target_yuan": _yuan(goal.target_fen),
            "done_yuan": _yuan(goal.done_fen),
            "contracts": goal.contracts,
            "share_percent": str(goal.share_percent),
            "years_remaining": goal.years_remaining,
            "pace_per_year_yuan": _yuan(goal.pace_fen),
            "finished": goal.finished,
            "monthly": [
                {
                    "month": f"{m // 100}-{m % 100:02d}",
                    "cumulative_yuan": _yuan(done),
                    "target_path_yuan": _yuan(line),
                }
                for m, done, line in goal.path
            ],
        }
    return JSONResponse(body)


def stats_breakdown(request: Request) -> Response:
    """
    summary: 成交额分项统计，by=year|field|town|institution|type（可加 year_from、year_to、field、town）
    responses:
      200: {description: "items（key、label、contracts、amount_yuan）与 total"}
      422: {description: 分组方式或筛选参数有误}
    """
    require_actor(request, STATS_ROLES)
    services = request.app.state.services
    filters = _filters(request)
    with services.session() as session:
        rows = stats.breakdown(session, filters, request.query_params.get("by", "year"))
        total = stats.totals(session, filters)
    return JSONResponse(
        {
            "by": request.query_params.get("by", "year"),
            "items": [row_json(r) for r in rows],
            "total": row_json(total),
        }
    )


def stats_indicators(request: Request) -> Response:
    """
    summary: 规划指标：每个规划的指标、目标、实际值（精确小数字符串）与完成比例
    responses:
      200: {description: plans}
    """
    require_actor(request, STATS_ROLES)
    with request.app.state.services.session() as session:
        plans = indicators.plans(session, date.today())
    return JSONResponse(
        {
            "plans": [
                {
                    "code": p.plan.code,
                    "name": p.plan.name,
                    "start_year": p.plan.start_year,
                    "end_year": p.plan.end_year,
                    "finished": p.finished,
                    "indicators": [
                        {
                            "code": r.indicator.code,
                            "name": r.indicator.name,
                            "category": r.indicator.category,
                            "unit": r.indicator.unit,
                            "kind": r.indicator.kind,
                            "source": r.indicator.source,
                            "target": r.indicator.target,
                            "actual": None if r.attainment.actual is None else str(r.attainment.actual),
                            "as_of_year": r.attainment.as_of_year,
                            "percent": None if r.attainment.percent is None else str(r.attainment.percent),
                            "values": {str(y): str(v) for y, v in sorted(r.values_by_year.items())},
                        }
                        for r in p.rows
                    ],
                }
                for p in plans
            ]
        }
    )


routes = [
    Route("/api/v1/contracts", contract_collection, methods=["GET", "POST"]),
    Route("/api/v1/contracts/{contract_id:int}", contract_item, methods=["GET", "PUT", "PATCH"]),
    Route("/api/v1/contracts/{contract_id:int}/void", contract_void, methods=["POST"]),
    Route("/api/v1/stats/turnover", stats_turnover),
    Route("/api/v1/stats/breakdown", stats_breakdown),
    Route("/api/v1/stats/indicators", stats_indicators),
]
