"""JSON API for the patent pledge register and the 质押融资 figures. Amounts are decimal strings in 元.

Each endpoint's docstring is its OpenAPI operation (YAML), read by Starlette's SchemaGenerator.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from matchmaker.domain.money import fen_to_yuan
from matchmaker.services import pledges
from matchmaker.web.pages.pledges import ROLES
from matchmaker.web.security import json_text, query_int, read_json, require_actor

STATS_ROLES = ("bureau", "organizer", "admin")


def _yuan(amount_fen: int) -> str:
    return format(fen_to_yuan(amount_fen), "f")


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def pledge_json(p: Any) -> dict[str, Any]:
    return {
        "id": p.id,
        "registration_number": p.registration_number,
        "pledgor": p.pledgor_name,
        "pledgor_credit_code": p.pledgor_credit_code,
        "pledgor_company_id": p.pledgor_company_id,
        "pledgee": p.pledgee_name,
        "pledgee_kind": p.pledgee_kind,
        "patents": [{"number": x["number"], "main_ipc": x.get("main_ipc")} for x in p.patents],
        "amount_yuan": _yuan(p.amount_fen),
        "registered_on": p.registered_on.isoformat(),
        "debt_from": _day(p.debt_from),
        "debt_to": _day(p.debt_to),
        "status": p.status,
        "changed_on": _day(p.changed_on),
        "cancelled_on": _day(p.cancelled_on),
        "field": p.field,
        "town": p.town,
        "offer_id": p.offer_id,
        "warnings": list(p.warnings),
    }


def _input(body: dict[str, Any], names: tuple[str, ...]) -> dict[str, object]:
    """JSON values as the form would send them; a JSON number as its shortest decimal spelling; a list of
    patents as one per line."""
    out: dict[str, object] = {}
    for name in names:
        value = body.get(name)
        if value is None:
            continue
        if name == "patents" and isinstance(value, list):
            value = "\n".join(
                f"{x.get('number', '')} {x.get('main_ipc') or ''}".strip() if isinstance(x, dict) else str(x)
                for x in value
            )
        out[name] = json_text(value)
    return out


def pledge_collection(request: Request) -> Response:
    """
    get:
      summary: 专利权质押登记列表（q、status、pledgee、field、town、date_from、date_to 筛选，page 分页，每页 50 项）
      responses:
        200: {description: "items、total 与 sum_yuan（担保债权数额合计，元，字符串）"}
        422: {description: 筛选参数有误}
    post:
      summary: 登记专利权质押（知识产权局）；patents 为 [{number, main_ipc}] 或每行一件的文本
      responses:
        201: {description: 已登记的质押}
        422: {description: "输入有误，{errors: [{field, message}]}，不写入任何数据"}
    """
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    if request.method == "POST":
        raw = _input(read_json(request), pledges.INPUT_FIELDS)
        with services.transaction() as session:
            pledge = pledges.create_pledge(session, actor, services.reference, raw)
        return JSONResponse(pledge_json(pledge), status_code=201)
    filters = pledges.parse_filters(request.query_params)
    with services.session() as session:
        rows, total, sum_fen = pledges.list_pledges(session, filters, page=query_int(request, "page", 1))
    return JSONResponse({"items": [pledge_json(p) for p in rows], "total": total, "sum_yuan": _yuan(sum_fen)})


def pledge_item(request: Request) -> Response:
    """
    get:
      summary: 一项质押登记及其变更记录
      responses:
        200: {description: "质押登记与 history"}
        404: {description: 不存在}
    patch:
      summary: 变更登记（需 changed_on，只需给出要改的字段）
      responses:
        200: {description: "变更后的登记与 changed（变更的字段）"}
        422: {description: 输入有误或已注销，不写入任何数据}
    """
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    pledge_id = request.path_params["pledge_id"]
    changed: list[str] = []
    if request.method == "PATCH":
        raw = _input(read_json(request), (*pledges.INPUT_FIELDS, "changed_on"))
        with services.transaction() as session:
            changed = pledges.change_pledge(session, actor, services.reference, pledge_id, raw)
    with services.session() as session:
        pledge = pledges.get_pledge(session, pledge_id)
        history = [
            {"at": e.at.isoformat(), "username": e.username, "action": e.action, "field": e.field,
             "old": e.old, "new": e.new, "note": e.note}
            for e in pledges.history(session, pledge_id)
        ]  # fmt: skip
    body = {**pledge_json(pledge), "history": history}
    if request.method == "PATCH":
        body["changed"] = changed
    return JSONResponse(body)


def pledge_cancel(request: Request) -> Response:
    """
    summary: 注销质押登记（需 cancelled_on，不早于登记日期；可附 reason）
    responses:
      200: {description: 已注销的登记}
      422: {description: 日期有误或已注销}
    """
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    body = read_json(request)
    with services.transaction() as session:
        pledge = pledges.cancel_pledge(
            session,
            actor,
            request.path_params["pledge_id"],
            str(body.get("cancelled_on") or ""),
            str(body.get("reason") or ""),
        )
    return JSONResponse(pledge_json(pledge))


def stats_pledges(request: Request) -> Response:
    """
    summary: 知识产权质押融资：date_from–date_to（含）登记的担保债权数额合计，按质权人、领域、镇街分项
    responses:
      200: {description: "total 与 by_bank、by_field、by_town（amount_yuan 为元，字符串）"}
      422: {description: 日期有误}
    """
    require_actor(request, STATS_ROLES)
    filters = pledges.parse_filters(request.query_params)
    with request.app.state.services.session() as session:
        total = pledges.financing(session, filters.date_from, filters.date_to)
        parts = {
            by: pledges.breakdown(session, filters.date_from, filters.date_to, by)
            for by in pledges.BREAKDOWNS
        }

    def row(r: pledges.FinancingRow) -> dict[str, Any]:
        return {"key": r.key, "label": r.label, "pledges": r.pledges, "amount_yuan": _yuan(r.amount_fen)}

    return JSONResponse(
        {"total": row(total), **{f"by_{by}": [row(r) for r in rows] for by, rows in parts.items()}}
    )


routes = [
    Route("/api/v1/pledges", pledge_collection, methods=["GET", "POST"]),
    Route("/api/v1/pledges/{pledge_id:int}", pledge_item, methods=["GET", "PATCH"]),
    Route("/api/v1/pledges/{pledge_id:int}/cancel", pledge_cancel, methods=["POST"]),
    Route("/api/v1/stats/pledges", stats_pledges),
]
