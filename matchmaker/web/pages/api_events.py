"""JSON API of docking events. Each endpoint's docstring is its OpenAPI operation (YAML).

Writes go through the same services as the pages (authorised and audited there); errors are
``{"errors": [{"field", "message"}]}`` with a 4xx status.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.services import event_schedule, events
from matchmaker.web.ids import MAX_ID, parse_whole
from matchmaker.web.pages.events.schedule import participant_ics as _participant_ics
from matchmaker.web.pages.events.shared import ORGANIZERS
from matchmaker.web.security import json_text, read_json, require_actor


def _text_values(body: dict[str, Any]) -> dict[str, Any]:
    """The event fields as the form would send them; lists (breaks, tables, the theme's fields and keywords) are
    accepted too."""
    values: dict[str, Any] = {}
    for name in events.EVENT_FIELDS:
        value = body.get(name, "")
        if name in ("theme_fields", "theme_keywords") and isinstance(value, list):
            values[name] = [str(v) for v in value]
            continue
        if name == "breaks" and isinstance(value, list):
            value = ", ".join("-".join(b) if isinstance(b, list) else str(b) for b in value)
        elif name == "tables" and isinstance(value, list):
            value = "\n".join(str(t) for t in value)
        values[name] = "" if value is None else str(value)
    return values


def _optional_int(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    number = parse_whole(value) if isinstance(value, int) else None
    if number is None:
        raise ValidationFailed([FieldError(name, f"{name} 必须是不大于 {MAX_ID} 的非负整数。")])
    return number


def event_collection(request: Request) -> Response:
    """
    summary: 对接会列表（GET）或新建对接会（POST，仅组织者/管理员）
    description: 'POST 体为 {name, event_date, venue, start_time, end_time, slot_minutes, breaks, tables,
      min_meetings_per_participant, theme_fields, theme_keywords}；breaks 可为 "15:20-15:40" 或 [["15:20","15:40"]]，
      tables 可为列表或数字；theme_fields（主题领域，取自产业领域列表）与 theme_keywords（主题关键词）为列表，可省略。'
    responses:
      200: {description: 对接会列表（items 数组）}
      201: {description: 新建的对接会}
      403: {description: 无权限}
      422: {description: 输入有误，errors 指明字段}
    """
    actor = require_actor(request, ORGANIZERS)
    services = request.app.state.services
    if request.method == "POST":
        body = read_json(request)
        with services.transaction() as session:
            event = events.create_event(session, actor, _text_values(body), fields=services.reference.fields)
            data = events.as_json(event)
        return JSONResponse(data, status_code=201)
    with services.session() as session:
        items = [
            events.as_json(e) for e in events.list_events(session, request.query_params.get("status", ""))
        ]
    return JSONResponse({"items": items})


def event_item(request: Request) -> Response:
    """
    summary: 对接会详情（GET，含时段、参会人与日程状态）或修改（PUT/PATCH，字段同新建；PATCH 可只传 status）
    responses:
      200: {description: 对接会}
      403: {description: 无权限}
      404: {description: 不存在}
      422: {description: 输入有误}
    """
    actor = require_actor(request, ORGANIZERS)
    services = request.app.state.services
    event_id = request.path_params["event_id"]
    if request.method in ("PUT", "PATCH"):
        body = read_json(request)
        with services.transaction() as session:
            if request.method == "PATCH" and set(body) == {"status"}:
                events.set_status(session, actor, event_id, str(body["status"]))
            else:
                current = events.form_values(events.get_event(session, event_id))
                merged = (
                    {**current, **_text_values({**current, **body})}
                    if request.method == "PATCH"
                    else _text_values(body)
                )
                if "version" in body:  # the version the client read; without it the save is not checked
                    merged["version"] = json_text(body["version"])
                events.update_event(session, actor, event_id, merged, fields=services.reference.fields)
                if "status" in body:
                    events.set_status(session, actor, event_id, str(body["status"]))
    with services.session() as session:
        event = events.get_event(session, event_id)
        data = events.as_json(event)
        data["participants"] = [
            {
                "id": p.id,
                "name": p.name,
                "kind": p.kind,
                "user_id": p.user_id,
                "institution_id": p.institution_id,
                "company_id": p.company_id,
                "available_slots": p.available_slots,
                "cap": p.cap,
            }
            for p in events.participants_of(session, event_id)
        ]
        data["schedule"] = _schedule_json(session, event)
    return JSONResponse(data)


def _schedule_json(session: Any, event: Any) -> dict[str, Any]:
    view = event_schedule.schedule_view(session, event)
    info = view.info
    return {
        "status": info.get("status"),
        "gap_percent": info.get("gap_percent"),
        "objective": info.get("objective"),
        "bound": info.get("bound"),
        "stale": bool(info.get("stale")),
        "draft": view.draft,
        "unplaced": [{"pair_id": p, "code": c, "reason": r} for p, c, r in info.get("unplaced", [])],
        "moved": [{"pair_id": p, "old": o, "new": n} for p, o, n in info.get("moved", [])],
        "meetings": [
            {
                "id": e.meeting.id,
                "pair_id": e.meeting.pair_id,
                "slot": e.meeting.slot,
                "start": e.slot.label(),
                "table_index": e.meeting.table_index,
                "table": e.table,
                "researcher": e.researcher,
                "company": e.company,
                "pinned_slot": e.meeting.pinned_slot,
                "pinned_table": e.meeting.pinned_table,
                "published": e.meeting.published,
                "attendance": e.meeting.attendance,
                "outcome": e.meeting.outcome,
                "note": e.meeting.note,
            }
            for e in event_schedule.entries(session, event)
        ],
    }


def pair_collection(request: Request) -> Response:
    """
    summary: 候选配对列表（GET）或添加/导入（POST）
    description: 'POST {"offer_id", "need_id", "researcher_user_id"?} 添加一对；{"import": "requests"} 导入已接受的会谈申请；
      {"pair_id", "excluded"?: bool, "preference"?: "必须见"|"愿意见"|"不见"|null} 修改一对。'
    responses:
      200: {description: 候选配对（items 数组）}
      403: {description: 无权限}
      422: {description: 输入有误}
    """
    actor = require_actor(request, ORGANIZERS)
    services = request.app.state.services
    event_id = request.path_params["event_id"]
    status = 200
    if request.method == "POST":
        body = read_json(request)
        with services.transaction() as session:
            if body.get("import") == "requests":
                events.import_accepted_requests(session, actor, event_id)
            elif "pair_id" in body:
                pair_id = _optional_int(body, "pair_id") or 0
                if "excluded" in body:
                    events.set_excluded(session, actor, event_id, pair_id, bool(body["excluded"]))
                if "preference" in body:
                    events.set_preference(session, actor, event_id, pair_id, body["preference"] or None)
            else:
                events.add_pair(
                    session,
                    actor,
                    event_id,
                    offer_id=_optional_int(body, "offer_id"),
                    need_id=_optional_int(body, "need_id"),
                    researcher_user_id=_optional_int(body, "researcher_user_id"),
                )
                status = 201
    with services.session() as session:
        events.get_event(session, event_id)
        items = [r.to_json() for r in events.pair_rows(session, event_id)]
    return JSONResponse({"items": items}, status_code=status)


def schedule(request: Request) -> Response:
    """
    summary: 排程（CP-SAT）：固定的会谈保持不动；已发布后为最少改动的重新排程
    description: '可选 {"time_limit_s": 1–10}。返回日程、未能安排的配对及原因、是否已证明最优与上界差距。'
    responses:
      200: {description: 日程}
      403: {description: 无权限}
      409: {description: 固定安排下无可行日程}
      422: {description: 没有候选配对或固定冲突}
    """
    actor = require_actor(request, ORGANIZERS)
    body = read_json(request)
    limit = body.get("time_limit_s", event_schedule.UI_TIME_LIMIT_S)
    if isinstance(limit, bool) or not isinstance(limit, (int, Decimal)) or not 0 < limit <= 10:
        raise ValidationFailed([FieldError("time_limit_s", "time_limit_s 应为 0 到 10 之间的秒数。")])
    services = request.app.state.services
    event_id = request.path_params["event_id"]
    with services.transaction() as session:
        event_schedule.solve_event(session, actor, event_id, time_limit_s=float(limit))
    with services.session() as session:
        return JSONResponse(_schedule_json(session, events.get_event(session, event_id)))


def meeting_item(request: Request) -> Response:
    """
    summary: 调整一场会谈：固定、移动、取消固定或取消（pin / move / unpin / drop）
    description: '{"action": "pin", "pin_slot": true, "pin_table": false} · {"action": "move", "slot": 3, "table": 1}
      · {"action": "unpin"} · {"action": "drop"}。与其他固定或可用时段冲突时返回 422 与冲突说明。'
    responses:
      200: {description: 调整后的日程}
      403: {description: 无权限}
      404: {description: 会谈不存在}
      422: {description: 固定冲突}
    """
    actor = require_actor(request, ORGANIZERS)
    body = read_json(request)
    services = request.app.state.services
    event_id, meeting_id = request.path_params["event_id"], request.path_params["mid"]
    with services.transaction() as session:
        event_schedule.change_meeting(
            session,
            actor,
            event_id,
            meeting_id,
            action=str(body.get("action", "")),
            slot=_optional_int(body, "slot"),
            table=_optional_int(body, "table"),
            pin_slot=bool(body.get("pin_slot", True)),
            pin_table=bool(body.get("pin_table", True)),
        )
    with services.session() as session:
        return JSONResponse(_schedule_json(session, events.get_event(session, event_id)))


def publish(request: Request) -> Response:
    """
    summary: 发布日程并通知参会人（之后的改动只通知受影响的人）
    responses:
      200: {description: 通知人数（notified）}
      403: {description: 无权限}
      422: {description: 尚无日程}
    """
    actor = require_actor(request, ORGANIZERS)
    read_json(request)
    with request.app.state.services.transaction() as session:
        notified = event_schedule.publish(session, actor, request.path_params["event_id"])
    return JSONResponse({"notified": notified})


def agenda_ics(request: Request) -> Response:
    """
    summary: 参会人日程 .ics（Asia/Shanghai 时区，每场会谈一个 VEVENT）；组织者或参会人本人可下载
    responses:
      200: {description: text/calendar}
      403: {description: 不是本人的日程}
      404: {description: 不存在}
    """
    return _participant_ics(request)


routes = [
    Route("/api/v1/events", event_collection, methods=["GET", "POST"]),
    Route("/api/v1/events/{event_id:int}", event_item, methods=["GET", "PUT", "PATCH"]),
    Route("/api/v1/events/{event_id:int}/pairs", pair_collection, methods=["GET", "POST"]),
    Route("/api/v1/events/{event_id:int}/schedule", schedule, methods=["POST"]),
    Route("/api/v1/events/{event_id:int}/meetings/{mid:int}", meeting_item, methods=["POST", "PATCH"]),
    Route("/api/v1/events/{event_id:int}/publish", publish, methods=["POST"]),
    Route("/api/v1/events/{event_id:int}/participants/{pid:int}/agenda.ics", agenda_ics),
]
