"""The schedule: solve, move, pin or drop meetings, publish; then agendas and .ics calendars per participant."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from matchmaker.domain.errors import MatchmakerError, PermissionDenied, ValidationFailed
from matchmaker.scheduling.model import REASON_TEXT
from matchmaker.services import event_schedule
from matchmaker.web.exports import table_response
from matchmaker.web.pages.events.shared import ORGANIZERS, back, int_or_none, load_event, render_page
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash


def schedule_page(request: Request) -> Response:
    require_actor(request, ORGANIZERS)
    event = load_event(request)
    with request.app.state.services.session() as session:
        if request.query_params.get("export") in ("xlsx", "csv"):
            headers, rows = event_schedule.schedule_table(session, event)
            return table_response(request.query_params["export"], f"{event.name}-日程", headers, rows)
        view = event_schedule.schedule_view(session, event)
    return render_page(
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
    return back(f"/events/{event_id}/schedule")


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
                slot=int_or_none(form_str(form, "slot")),
                table=int_or_none(form_str(form, "table")),
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
    return back(f"/events/{event_id}/schedule")


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
    return back(f"/events/{event_id}/schedule")


def agendas(request: Request) -> Response:
    require_actor(request, ORGANIZERS)
    event = load_event(request)
    by = "table" if request.query_params.get("by") == "table" else "participant"
    with request.app.state.services.session() as session:
        items = event_schedule.all_agendas(session, event, by)
    return render_page(
        request, "events/agendas.html", {"event": event, "agendas": items, "by": by, "single": False}
    )


def participant_agenda(request: Request) -> Response:
    actor = require_actor(request)
    event = load_event(request)
    with request.app.state.services.session() as session:
        person = event_schedule.agenda_reader(session, actor, event.id or 0, request.path_params["pid"])
        agenda = event_schedule.participant_agenda(session, event, person)
    return render_page(
        request,
        "events/agendas.html",
        {"event": event, "agendas": [agenda], "by": "participant", "single": True},
    )


def participant_ics(request: Request) -> Response:
    actor = require_actor(request)
    event = load_event(request)
    with request.app.state.services.session() as session:
        person = event_schedule.agenda_reader(
            session, actor, event.id or 0, request.path_params["pid"], doing="下载"
        )
        body = event_schedule.participant_calendar(session, event, person)
    name = quote(f"{event.name}-{person.name}.ics")
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f"attachment; filename*=UTF-8''{name}"},
    )
