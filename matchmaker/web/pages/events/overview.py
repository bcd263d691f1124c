"""The organizer's event list, the event form, its status, and the overview with participants' slots and caps."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.vocab import EVENT_STATUSES, PARTICIPANT_KIND_LABELS
from matchmaker.services import event_schedule, events
from matchmaker.web.exports import table_response
from matchmaker.web.ids import parse_whole
from matchmaker.web.pages.events.shared import ORGANIZERS, back, load_event, render_page
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash


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
    return render_page(
        request,
        "events/list.html",
        {"events": rows, "counts": counts, "status": status, "statuses": EVENT_STATUSES},
    )


def _fields(request: Request) -> tuple[str, ...]:
    """The industry fields an event's theme is chosen from (the offers' and needs' vocabulary)."""
    fields: tuple[str, ...] = request.app.state.services.reference.fields
    return fields


def _event_form(form: Any) -> dict[str, Any]:
    """The event form as sent: text fields, and the theme's checked fields as a list."""
    values: dict[str, Any] = {k: form_str(form, k) for k in (*events.EVENT_FIELDS, "version")}
    values["theme_fields"] = [v for v in form.getlist("theme_fields") if isinstance(v, str)]
    return values


def event_new(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    values: dict[str, Any] = {
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
        values = _event_form(form)
        try:
            with request.app.state.services.transaction() as session:
                event = events.create_event(session, actor, values, fields=_fields(request))
            flash(request, f"已创建对接会「{event.name}」，下一步：添加候选配对")
            return back(f"/events/{event.id}/pairs")
        except ValidationFailed as exc:
            errors = exc.by_field()
    return render_page(
        request,
        "events/form.html",
        {"form": values, "errors": errors, "event": None, "fields": _fields(request)},
        422 if errors else 200,
    )


def event_edit(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    event = load_event(request)
    values = events.form_values(event)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = read_form(request)
        values = _event_form(form)
        try:
            with request.app.state.services.transaction() as session:
                events.update_event(session, actor, event.id or 0, values, fields=_fields(request))
            flash(request, "已保存对接会设置")
            return back(f"/events/{event.id}")
        except ValidationFailed as exc:
            errors = exc.by_field()
    return render_page(
        request,
        "events/form.html",
        {"form": values, "errors": errors, "event": event, "fields": _fields(request)},
        422 if errors else 200,
    )


def event_status(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    form = read_form(request)
    event_id = request.path_params["event_id"]
    with request.app.state.services.transaction() as session:
        event = events.set_status(session, actor, event_id, form_str(form, "status"))
    flash(request, f"对接会状态已改为「{event.status}」")
    return back(f"/events/{event_id}")


def event_show(request: Request) -> Response:
    require_actor(request, ORGANIZERS)
    event = load_event(request)
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
    return render_page(
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
    return back(f"/events/{event_id}#p{pid}")
