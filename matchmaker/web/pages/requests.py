"""Meeting requests: the SME's form on an offer (/offers/{id}/request), its sent list (我的会谈请求), and the
researchers' inbox (收到的会谈请求) where they accept or decline with a structured reason."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.local_time import local_time
from matchmaker.domain.vocab import DECLINE_REASONS, REQUEST_STATES
from matchmaker.services import requests as meeting_requests
from matchmaker.web.exports import table_response
from matchmaker.web.ids import parse_id
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash, render

EXPORT_HEADERS = (
    "编号",
    "成果",
    "成果单位",
    "企业",
    "申请人",
    "关联需求",
    "留言",
    "状态",
    "拒绝原因",
    "说明",
    "申请时间",
    "回复时间",
)


def _export_rows(rows: list[meeting_requests.RequestRow]) -> list[tuple[Any, ...]]:
    return [
        (
            r.id,
            r.offer_title,
            r.institution,
            r.company_name,
            r.requested_by,
            r.need.title if r.need else "",
            r.message,
            r.state,
            r.decline_reason or "",
            r.decline_note,
            local_time(r.created_at),
            local_time(r.responded_at),
        )
        for r in rows
    ]


def request_new(request: Request) -> Response:
    actor = require_actor(request, ("sme",))
    services = request.app.state.services
    offer_id = request.path_params["offer_id"]
    if actor.company_id is None:
        flash(request, "请先登记您所在的企业，再申请会谈", "info")
        return RedirectResponse("/company", status_code=303)
    values: dict[str, str] = {"need_id": request.query_params.get("need", "")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = read_form(request)
        values = {k: form_str(form, k) for k in ("message", "need_id")}
        try:
            with services.transaction() as session:
                meeting_requests.create_request(
                    session,
                    actor,
                    offer_id,
                    message=values["message"],
                    need_id=parse_id(values["need_id"]),
                )
            flash(request, "会谈请求已发出，成果方回复后会通知您")
            return RedirectResponse("/my/requests", status_code=303)
        except ValidationFailed as exc:
            errors = exc.by_field()
    with services.session() as session:
        shown = meeting_requests.request_form(session, actor, offer_id)
    return render(
        request,
        "requests/new.html",
        {
            "offer": shown.offer,
            "institution": shown.institution,
            "form": values,
            "errors": errors,
            "need_options": [(str(n.id), n.title) for n in shown.open_needs],
        },
        status_code=422 if errors else 200,
    )


def sent_list(request: Request) -> Response:
    """我的会谈请求: what the company asked for, and each answer."""
    actor = require_actor(request, ("sme",))
    services = request.app.state.services
    if actor.company_id is None:
        flash(request, "请先登记您所在的企业", "info")
        return RedirectResponse("/company", status_code=303)
    with services.session() as session:
        rows = meeting_requests.sent_by_company(session, actor, actor.company_id)
    fmt = request.query_params.get("export")
    if fmt in ("xlsx", "csv"):
        return table_response(fmt, "我的会谈请求", EXPORT_HEADERS, _export_rows(rows))
    return render(request, "requests/sent.html", {"sent": rows})


def inbox(request: Request) -> Response:
    """收到的会谈请求: requests on the offers of the researcher's institution."""
    actor = require_actor(request, ("researcher",))
    services = request.app.state.services
    state = request.query_params.get("state", "")
    state = state if state in REQUEST_STATES else ""
    with services.session() as session:
        rows = meeting_requests.inbox(session, actor, state)
    fmt = request.query_params.get("export")
    if fmt in ("xlsx", "csv"):
        return table_response(fmt, "收到的会谈请求", EXPORT_HEADERS, _export_rows(rows))
    return render(
        request,
        "requests/inbox.html",
        {
            "rows": rows,
            "state": state,
            "states": REQUEST_STATES,
            "reasons": DECLINE_REASONS,
            "errors": {},
            "failed_id": None,
        },
    )


def answer(request: Request) -> Response:
    actor = require_actor(request)
    services = request.app.state.services
    request_id = request.path_params["request_id"]
    form = read_form(request)
    decision = form_str(form, "decision")
    try:
        with services.transaction() as session:
            meeting_requests.answer_request(
                session,
                actor,
                request_id,
                accept=decision == "accept",
                reason=form_str(form, "reason"),
                note=form_str(form, "note"),
            )
    except ValidationFailed as exc:
        with services.session() as session:
            rows = meeting_requests.inbox(session, actor)
        return render(
            request,
            "requests/inbox.html",
            {
                "rows": rows,
                "state": "",
                "states": REQUEST_STATES,
                "reasons": DECLINE_REASONS,
                "errors": exc.by_field(),
                "failed_id": request_id,
                "failed_form": {"reason": form_str(form, "reason"), "note": form_str(form, "note")},
            },
            status_code=422,
        )
    if decision == "accept":
        flash(request, "已接受会谈请求，已通知企业；请提出会谈时间和地点")
        return RedirectResponse(f"/requests/{request_id}", status_code=303)
    flash(request, "已婉拒会谈请求，已通知企业")
    return RedirectResponse("/requests/inbox", status_code=303)


routes = [
    Route("/offers/{offer_id:int}/request", request_new, methods=["GET", "POST"], include_in_schema=False),
    Route("/my/requests", sent_list, include_in_schema=False),
    Route("/requests/inbox", inbox, include_in_schema=False),
    Route("/requests/{request_id:int}/answer", answer, methods=["POST"], include_in_schema=False),
]
