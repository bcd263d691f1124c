"""对接会 pages: organizers build, schedule, publish and wrap up events; participants see 我的对接会.

Handlers read input, call ``services.events`` / ``services.event_schedule`` (which authorise and audit every
write) and render; nothing here checks a role for a write by hand.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import MatchmakerError, PermissionDenied, ValidationFailed
from matchmaker.domain.vocab import (
    ATTENDANCE,
    EVENT_STATUSES,
    MEETING_OUTCOMES,
    PARTICIPANT_KIND_LABELS,
    PREFERENCES,
)
from matchmaker.scheduling.model import REASON_TEXT
from matchmaker.services import event_picking, event_proposals, event_schedule, events
from matchmaker.services.permissions import allowed
from matchmaker.web.exports import table_response
from matchmaker.web.ids import parse_id, parse_whole
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash, render

ORGANIZERS = ("organizer", "admin")
PARTICIPANTS = ("researcher", "sme")


def _render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(request, template, context, status_code=status)


def _back(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


def _int(text: str) -> int | None:
    return parse_whole(text)


def _load(request: Request) -> events.Event:
    with request.app.state.services.session() as session:
        return events.get_event(session, request.path_params["event_id"])


# ---------------------------------------------------------------- list, create, edit


def event_list(request: Request) -> Response:
    require_actor(request, ORGANIZERS)
    status = request.query_params.get("status", "")
    status = status if status in EVENT_STATUSES else ""
    with request.app.state.services.session() as session:
        rows = events.list_events(session, status)
        counts = {
            e.id: (
                len(events.participants_of(session, e.id or 0)),
                len(events.meetings_of(session, e.id or 0)),
            )
            for e in rows
        }
    if request.query_params.get("export") in ("xlsx", "csv"):
        return table_response(
            request.query_params["export"],
            "对接会列表",
            ["名称", "日期", "地点", "时间", "状态", "参会人", "会谈"],
            [
                (e.name, e.event_date, e.venue, f"{e.start_time}–{e.end_time}", e.status, *counts[e.id])
                for e in rows
            ],
        )
    return _render(
        request,
        "events/list.html",
        {"events": rows, "counts": counts, "status": status, "statuses": EVENT_STATUSES},
    )


def event_new(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    values = {
        "start_time": "14:00",
        "end_time": "17:00",
        "slot_minutes": "20",
        "breaks": "15:20-15:40",
        "tables": "6",
        "min_meetings_per_participant": "1",
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = read_form(request)
        values = {k: form_str(form, k) for k in (*events.EVENT_FIELDS, "version")}
        try:
            with request.app.state.services.transaction() as session:
                event = events.create_event(session, actor, values)
            flash(request, f"已创建对接会「{event.name}」，下一步：添加候选配对")
            return _back(f"/events/{event.id}/pairs")
        except ValidationFailed as exc:
            errors = exc.by_field()
    return _render(
        request, "events/form.html", {"form": values, "errors": errors, "event": None}, 422 if errors else 200
    )


def event_edit(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    event = _load(request)
    values = events.form_values(event)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = read_form(request)
        values = {k: form_str(form, k) for k in (*events.EVENT_FIELDS, "version")}
        try:
            with request.app.state.services.transaction() as session:
                events.update_event(session, actor, event.id or 0, values)
            flash(request, "已保存对接会设置")
            return _back(f"/events/{event.id}")
        except ValidationFailed as exc:
            errors = exc.by_field()
    return _render(
        request,
        "events/form.html",
        {"form": values, "errors": errors, "event": event},
        422 if errors else 200,
    )


def event_status(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    form = read_form(request)
    event_id = request.path_params["event_id"]
    with request.app.state.services.transaction() as session:
        event = events.set_status(session, actor, event_id, form_str(form, "status"))
    flash(request, f"对接会状态已改为「{event.status}」")
    return _back(f"/events/{event_id}")


# ---------------------------------------------------------------- overview and participants


def event_show(request: Request) -> Response:
    require_actor(request, ORGANIZERS)
    event = _load(request)
    with request.app.state.services.session() as session:
        people = events.participants_of(session, event.id or 0)
        rows = events.pair_rows(session, event.id or 0)
        view = event_schedule.schedule_view(session, event)
    load: dict[int, int] = {}
    for e in view.grid:
        for cell in e:
            if cell is not None:
                load[cell.researcher_id] = load.get(cell.researcher_id, 0) + 1
                load[cell.company_id] = load.get(cell.company_id, 0) + 1
    return _render(
        request,
        "events/show.html",
        {
            "event": event,
            "people": people,
            "pair_count": len(rows),
            "view": view,
            "load": load,
            "statuses": EVENT_STATUSES,
            "kind_labels": PARTICIPANT_KIND_LABELS,
            "tab": "show",
            "errors": {},
        },
    )


def participant_update(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    form = read_form(request)
    event_id, pid = request.path_params["event_id"], request.path_params["pid"]
    slots = [n for v in form.getlist("slots") if (n := parse_whole(v)) is not None]
    cap_text = form_str(form, "cap")
    try:
        cap = int(cap_text) if cap_text else None
    except ValueError:
        cap = -1
    try:
        with request.app.state.services.transaction() as session:
            person = events.update_participant(
                session,
                actor,
                event_id,
                pid,
                available_slots=slots,
                cap=cap,
                name=form_str(form, "name") or None,
            )
        flash(request, f"已保存 {person.name} 的可用时段与上限")
    except ValidationFailed as exc:
        flash(request, "未保存：" + exc.message, "error")
    return _back(f"/events/{event_id}#p{pid}")


# ---------------------------------------------------------------- candidate pairs


def pair_list(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    event = _load(request)
    errors: dict[str, str] = {}
    form_values: dict[str, str] = {}
    if request.method == "POST":
        form = read_form(request)
        action = form_str(form, "action")
        form_values = {k: form_str(form, k) for k in ("offer_id", "need_id", "researcher_user_id")}
        try:
            with request.app.state.services.transaction() as session:
                message = _pair_action(session, actor, event.id or 0, action, form)
            flash(request, message)
            return _back(f"/events/{event.id}/pairs")
        except ValidationFailed as exc:
            errors = exc.by_field()
    with request.app.state.services.session() as session:
        rows = events.pair_rows(session, event.id or 0)
        choices = events.pair_choices(session)
        offer_options = event_picking.offer_options(session)
        need_options = event_picking.need_options(session)
    if request.query_params.get("export") in ("xlsx", "csv"):
        return table_response(
            request.query_params["export"],
            f"{event.name}-候选配对",
            ["科研人员", "专利成果", "企业", "技术需求", "分数", "理由", "来源", "意愿", "已排除"],
            [
                (
                    r.researcher,
                    r.offer_title,
                    r.company,
                    r.need_title,
                    round(r.pair.score, 3),
                    r.reasons,
                    SOURCE_TEXT.get(r.pair.source, r.pair.source),
                    r.preference or "",
                    "是" if r.pair.excluded else "",
                )
                for r in rows
            ],
        )
    return _render(
        request,
        "events/pairs.html",
        {
            "event": event,
            "rows": rows,
            "offers": offer_options,
            "needs": need_options,
            "researchers": choices.researchers,
            "preferences": PREFERENCES,
            "errors": errors,
            "form": form_values,
            "tab": "pairs",
            "sources": SOURCE_TEXT,
        },
        422 if errors else 200,
    )


SOURCE_TEXT = {"manual": "手选", "request": "会谈申请", "matcher": "匹配推荐"}


def _pair_action(session: Any, actor: Any, event_id: int, action: str, form: Any) -> str:
    pair_id = _int(form_str(form, "pair_id")) or 0
    if action == "add":
        events.add_pair(
            session,
            actor,
            event_id,
            offer_id=_int(form_str(form, "offer_id")),
            need_id=_int(form_str(form, "need_id")),
            researcher_user_id=_int(form_str(form, "researcher_user_id")),
        )
        return "已添加候选配对"
    if action == "import":
        added = events.import_accepted_requests(session, actor, event_id)
        return f"已导入 {added} 个已接受的会谈申请" if added else "没有新的已接受会谈申请可导入"
    if action in ("exclude", "include"):
        events.set_excluded(session, actor, event_id, pair_id, action == "exclude")
        return "已排除该配对" if action == "exclude" else "已恢复该配对"
    if action == "preference":
        events.set_preference(session, actor, event_id, pair_id, form_str(form, "preference") or None)
        return "已保存意愿"
    raise ValidationFailed([])


def proposals(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    event = _load(request)
    services = request.app.state.services
    text = request.query_params.get("min_score", "0.5")
    try:
        min_score = min(max(float(text), 0.0), 1.0)
    except ValueError:
        min_score = 0.5
    if request.method == "POST":
        form = read_form(request)
        chosen = {v for v in form.getlist("pick") if isinstance(v, str)}
        found = event_proposals.propose(services, min_score=0.0)
        picked = [p for p in found if f"{p.offer_id}-{p.need_id}" in chosen]
        added = 0
        with services.transaction() as session:
            present = {(r.pair.offer_id, r.pair.need_id) for r in events.pair_rows(session, event.id or 0)}
            for p in picked:
                if (p.offer_id, p.need_id) not in present:
                    events.add_pair(
                        session,
                        actor,
                        event.id or 0,
                        offer_id=p.offer_id,
                        need_id=p.need_id,
                        score=p.score,
                        reasons=[f"{p.method}：{r}" for r in p.reasons],
                        source="matcher",
                    )
                    added += 1
        flash(request, f"已添加 {added} 个推荐配对")
        return _back(f"/events/{event.id}/pairs")
    found = event_proposals.propose(services, min_score=min_score)
    field = request.query_params.get("field", "")
    field = field if field in services.reference.fields else ""
    page_text = request.query_params.get("page", "1")
    with services.session() as session:
        present = {(r.pair.offer_id, r.pair.need_id) for r in events.pair_rows(session, event.id or 0)}
        shown = event_picking.proposal_page(session, found, field=field, page=parse_id(page_text) or 1)
    return _render(
        request,
        "events/proposals.html",
        {
            "event": event,
            "method": event_proposals.MATCHER_METHOD,
            "found": shown.rows,
            "shown": shown,
            "field": field,
            "fields": services.reference.fields,
            "min_score": min_score,
            "present": present,
            "tab": "pairs",
        },
    )


# ---------------------------------------------------------------- schedule


def schedule_page(request: Request) -> Response:
    require_actor(request, ORGANIZERS)
    event = _load(request)
    with request.app.state.services.session() as session:
        if request.query_params.get("export") in ("xlsx", "csv"):
            headers, rows = event_schedule.schedule_table(session, event)
            return table_response(request.query_params["export"], f"{event.name}-日程", headers, rows)
        view = event_schedule.schedule_view(session, event)
    return _render(
        request,
        "events/schedule.html",
        {
            "event": event,
            "view": view,
            "status_text": event_schedule.STATUS_TEXT,
            "tab": "schedule",
            "reasons": REASON_TEXT,
        },
    )


def schedule_solve(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    read_form(request)
    event_id = request.path_params["event_id"]
    try:
        with request.app.state.services.transaction() as session:
            result = event_schedule.solve_event(session, actor, event_id)
        state = "已证明最优" if result.status == "optimal" else f"可行解，与上界差距 {result.gap * 100:.1f}%"
        flash(
            request,
            f"排程完成：安排 {len(result.meetings)} 场会谈，{len(result.unplaced)} 对未能安排；{state}。",
        )
    except (ValidationFailed, MatchmakerError) as exc:
        if isinstance(exc, PermissionDenied):
            raise
        flash(request, exc.message, "error")
    return _back(f"/events/{event_id}/schedule")


def meeting_change(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    form = read_form(request)
    event_id, meeting_id = request.path_params["event_id"], request.path_params["mid"]
    action = form_str(form, "action")
    try:
        with request.app.state.services.transaction() as session:
            event_schedule.change_meeting(
                session,
                actor,
                event_id,
                meeting_id,
                action=action,
                slot=_int(form_str(form, "slot")),
                table=_int(form_str(form, "table")),
                pin_slot=form_str(form, "pin_slot") == "1",
                pin_table=form_str(form, "pin_table") == "1",
            )
        flash(
            request,
            {
                "pin": "已固定该会谈",
                "move": "已移动并固定该会谈，请重新排程安排其余会谈",
                "unpin": "已取消固定",
                "drop": "已取消该会谈（配对已排除）",
            }.get(action, "已保存"),
        )
    except ValidationFailed as exc:
        flash(request, "无法固定：" + exc.message, "error")
    except MatchmakerError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        flash(request, exc.message, "error")
    return _back(f"/events/{event_id}/schedule")


def schedule_publish(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    read_form(request)
    event_id = request.path_params["event_id"]
    try:
        with request.app.state.services.transaction() as session:
            notified = event_schedule.publish(session, actor, event_id)
        flash(request, f"日程已发布，已通知 {notified} 位参会人")
    except ValidationFailed as exc:
        flash(request, exc.message, "error")
    return _back(f"/events/{event_id}/schedule")


# ---------------------------------------------------------------- agendas and calendars


def agendas(request: Request) -> Response:
    require_actor(request, ORGANIZERS)
    event = _load(request)
    by = "table" if request.query_params.get("by") == "table" else "participant"
    with request.app.state.services.session() as session:
        items = event_schedule.all_agendas(session, event, by)
    return _render(
        request, "events/agendas.html", {"event": event, "agendas": items, "by": by, "single": False}
    )


def participant_agenda(request: Request) -> Response:
    actor = require_actor(request)
    event = _load(request)
    with request.app.state.services.session() as session:
        person = event_schedule.get_participant(session, event.id or 0, request.path_params["pid"])
        if not events.can_see_agenda(session, actor, person):
            raise PermissionDenied("只能查看自己的日程")
        agenda = event_schedule.participant_agenda(session, event, person)
    return _render(
        request,
        "events/agendas.html",
        {"event": event, "agendas": [agenda], "by": "participant", "single": True},
    )


def participant_ics(request: Request) -> Response:
    actor = require_actor(request)
    event = _load(request)
    with request.app.state.services.session() as session:
        person = event_schedule.get_participant(session, event.id or 0, request.path_params["pid"])
        if not events.can_see_agenda(session, actor, person):
            raise PermissionDenied("只能下载自己的日程")
        body = event_schedule.participant_calendar(session, event, person)
    from urllib.parse import quote

    name = quote(f"{event.name}-{person.name}.ics")
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f"attachment; filename*=UTF-8''{name}"},
    )


# ---------------------------------------------------------------- after the event


def outcomes(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    event = _load(request)
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        form = read_form(request)
        typed = {k: v for k, v in form.items() if isinstance(v, str)}
        ids = [n for v in form.getlist("meeting") if (n := parse_id(v)) is not None]
        entries = {
            mid: (
                form_str(form, f"attendance_{mid}"),
                form_str(form, f"outcome_{mid}"),
                form_str(form, f"note_{mid}"),
            )
            for mid in ids
        }
        try:
            with request.app.state.services.transaction() as session:
                changed = event_schedule.record_outcomes(session, actor, event.id or 0, entries)
            flash(request, f"已保存 {changed} 场会谈的到场与洽谈结果")
            return _back(f"/events/{event.id}/outcomes")
        except ValidationFailed as exc:
            errors = exc.by_field()
        except MatchmakerError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            errors = {"": exc.message}
    with request.app.state.services.session() as session:
        items = event_schedule.entries(session, event)
    return _render(
        request,
        "events/outcomes.html",
        {
            "event": event,
            "items": items,
            "errors": errors,
            "typed": typed,
            "attendance": ATTENDANCE,
            "outcomes": MEETING_OUTCOMES,
            "tab": "outcomes",
            "can_register_contract": allowed(actor, "contract.manage"),
        },
        422 if errors else 200,
    )


# ---------------------------------------------------------------- 我的对接会


def my_events(request: Request) -> Response:
    actor = require_actor(request, PARTICIPANTS)
    services = request.app.state.services
    if request.method == "POST":
        form = read_form(request)
        event_id = _int(form_str(form, "event_id")) or 0
        with services.transaction() as session:
            events.set_own_preference(
                session,
                actor,
                event_id,
                _int(form_str(form, "pair_id")) or 0,
                form_str(form, "preference") or None,
            )
        flash(request, "已保存您的会谈意愿")
        return _back("/my/events")
    cards = []
    with services.session() as session:
        for person in events.own_participants(session, actor):
            event = events.get_event(session, person.event_id)
            agenda = event_schedule.participant_agenda(session, event, person)
            published = event.status != "筹备"
            mine = [
                r
                for r in events.pair_rows(session, event.id or 0)
                if person.id in (r.pair.researcher_id, r.pair.company_participant_id) and not r.pair.excluded
            ]
            side = "company_preference" if person.kind == "company" else "researcher_preference"
            cards.append(
                {
                    "event": event,
                    "person": person,
                    "agenda": agenda,
                    "published": published,
                    "pairs": mine,
                    "side": side,
                }
            )
    return _render(request, "events/mine.html", {"cards": cards, "preferences": PREFERENCES})


routes = [
    Route("/events", event_list),
    Route("/events/new", event_new, methods=["GET", "POST"]),
    Route("/events/{event_id:int}", event_show),
    Route("/events/{event_id:int}/edit", event_edit, methods=["GET", "POST"]),
    Route("/events/{event_id:int}/status", event_status, methods=["POST"]),
    Route("/events/{event_id:int}/participants/{pid:int}", participant_update, methods=["POST"]),
    Route("/events/{event_id:int}/pairs", pair_list, methods=["GET", "POST"]),
    Route("/events/{event_id:int}/proposals", proposals, methods=["GET", "POST"]),
    Route("/events/{event_id:int}/schedule", schedule_page),
    Route("/events/{event_id:int}/solve", schedule_solve, methods=["POST"]),
    Route("/events/{event_id:int}/meetings/{mid:int}", meeting_change, methods=["POST"]),
    Route("/events/{event_id:int}/publish", schedule_publish, methods=["POST"]),
    Route("/events/{event_id:int}/agendas", agendas),
    Route("/events/{event_id:int}/participants/{pid:int}/agenda", participant_agenda),
    Route("/events/{event_id:int}/participants/{pid:int}/agenda.ics", participant_ics),
    Route("/events/{event_id:int}/outcomes", outcomes, methods=["GET", "POST"]),
    Route("/my/events", my_events, methods=["GET", "POST"]),
]
