"""The page of one meeting request after acceptance (/requests/{id}): both sides' contacts, proposing and
confirming a time and place, the .ics, the outcome; for organizers, moving the pair into an upcoming event."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.vocab import MEETING_OUTCOMES
from matchmaker.services import request_meetings
from matchmaker.web.ids import parse_id
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash, render


def _page(
    request: Request, errors: dict[str, str] | None = None, form: dict[str, Any] | None = None
) -> Response:
    actor = require_actor(request)
    with request.app.state.services.session() as session:
        view = request_meetings.detail(session, actor, request.path_params["request_id"])
    return render(
        request,
        "requests/detail.html",
        {"view": view, "errors": errors or {}, "form": form or {}, "outcomes": MEETING_OUTCOMES},
        status_code=422 if errors else 200,
    )


def detail(request: Request) -> Response:
    return _page(request)


def propose(request: Request) -> Response:
    actor = require_actor(request)
    form = read_form(request)
    dates = [form_str(form, f"date_{i}") for i in (1, 2, 3)]
    times = [form_str(form, f"time_{i}") for i in (1, 2, 3)]
    values = (
        {k: form_str(form, k) for k in ("place", "duration")}
        | {f"date_{i}": dates[i - 1] for i in (1, 2, 3)}
        | {f"time_{i}": times[i - 1] for i in (1, 2, 3)}
    )
    try:
        with request.app.state.services.transaction() as session:
            request_meetings.propose(
                session,
                actor,
                request.path_params["request_id"],
                dates=dates,
                times=times,
                place=values["place"],
                duration=values["duration"],
            )
    except ValidationFailed as exc:
        return _page(request, exc.by_field(), values)
    flash(request, "已提出会谈时间，已通知对方确认")
    return RedirectResponse(f"/requests/{request.path_params['request_id']}", status_code=303)


def confirm(request: Request) -> Response:
    actor = require_actor(request)
    form = read_form(request)
    try:
        with request.app.state.services.transaction() as session:
            request_meetings.confirm(
                session, actor, request.path_params["request_id"], option=form_str(form, "option")
            )
    except ValidationFailed as exc:
        return _page(request, exc.by_field())
    flash(request, "会谈时间已确认，已通知双方；可下载日历文件")
    return RedirectResponse(f"/requests/{request.path_params['request_id']}", status_code=303)


def outcome(request: Request) -> Response:
    actor = require_actor(request)
    form = read_form(request)
    values = {"outcome": form_str(form, "outcome"), "note": form_str(form, "note")}
    try:
        with request.app.state.services.transaction() as session:
            request_meetings.record_outcome(
                session,
                actor,
                request.path_params["request_id"],
                outcome=values["outcome"],
                note=values["note"],
            )
    except ValidationFailed as exc:
        return _page(request, exc.by_field(), values)
    flash(request, "会谈结果已记录")
    return RedirectResponse(f"/requests/{request.path_params['request_id']}", status_code=303)


def to_event(request: Request) -> Response:
    actor = require_actor(request)
    form = read_form(request)
    event_id = form_str(form, "event_id")
    try:
        with request.app.state.services.transaction() as session:
            request_meetings.move_to_event(
                session, actor, request.path_params["request_id"], parse_id(event_id) or 0
            )
    except ValidationFailed as exc:
        return _page(request, exc.by_field(), {"event_id": event_id})
    flash(request, "已纳入对接会的候选配对，排程后双方会收到日程")
    return RedirectResponse(f"/requests/{request.path_params['request_id']}", status_code=303)


def calendar(request: Request) -> Response:
    actor = require_actor(request)
    with request.app.state.services.session() as session:
        name, body = request_meetings.calendar(session, actor, request.path_params["request_id"])
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def accepted_list(request: Request) -> Response:
    """Organizers: accepted requests still without an agreed time (to pull into an upcoming event), and agreed
    meetings that took place without a recorded outcome."""
    actor = require_actor(request, ("organizer", "admin"))
    with request.app.state.services.session() as session:
        rows = request_meetings.to_arrange(session, actor)
        due = request_meetings.outcomes_due(session, actor)
    return render(request, "requests/accepted.html", {"rows": rows, "due": due})


routes = [
    Route("/requests/accepted", accepted_list, include_in_schema=False),
    Route("/requests/{request_id:int}", detail, include_in_schema=False),
    Route("/requests/{request_id:int}/propose", propose, methods=["POST"], include_in_schema=False),
    Route("/requests/{request_id:int}/confirm", confirm, methods=["POST"], include_in_schema=False),
    Route("/requests/{request_id:int}/outcome", outcome, methods=["POST"], include_in_schema=False),
    Route("/requests/{request_id:int}/to-event", to_event, methods=["POST"], include_in_schema=False),
    Route("/requests/{request_id:int}/meeting.ics", calendar, include_in_schema=False),
]
