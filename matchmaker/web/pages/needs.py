"""Pages for technology needs and the SME's company: register the company, post, list, read, edit, change status,
and "我的需求". Every need shown goes through ``services.needs.visible_need`` (via ``needs.views``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.local_time import local_today
from matchmaker.domain.vocab import COOP_MODES, NEED_STATUSES
from matchmaker.services import companies, needs
from matchmaker.services import requests as meeting_requests
from matchmaker.web import paging
from matchmaker.web.exports import table_response
from matchmaker.web.pages.matches import ON_MY_NEEDS, need_matches
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash, render

NEED_FIELDS = (
    "title",
    "description",
    "expected_outcome",
    "field",
    "budget_min_wan",
    "budget_max_wan",
    "budget_negotiable",
    "deadline",
    "contact",
    "contact_public",
    "budget_public",
)
COMPANY_FIELDS = ("name", "credit_code", "town", "field", "description")
PER_PAGE = 20


def today() -> date:
    """Deadlines are dates in Liyang, whatever the server's clock zone."""
    return local_today()


def need_form_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {k: form_str(form, k) for k in NEED_FIELDS}
    values["coop_modes"] = [v for v in form.getlist("coop_modes") if isinstance(v, str)]
    values["version"] = form_str(form, "version")
    return values


def _need_values(need: needs.Need) -> dict[str, Any]:
    return {
        "version": str(need.version),
        "title": need.title,
        "description": need.description,
        "expected_outcome": need.expected_outcome,
        "field": need.field,
        "budget_min_wan": "" if need.budget_min_wan is None else str(need.budget_min_wan),
        "budget_max_wan": "" if need.budget_max_wan is None else str(need.budget_max_wan),
        "budget_negotiable": "1" if need.budget_min_wan is None and need.budget_max_wan is None else "",
        "deadline": need.deadline.isoformat() if need.deadline else "",
        "contact": need.contact,
        "contact_public": "1" if need.contact_public else "",
        "budget_public": "1" if need.budget_public else "",
        "coop_modes": list(need.coop_modes),
    }


def _form_context(request: Request) -> dict[str, Any]:
    ref = request.app.state.services.reference
    return {
        "fields": [(f, f) for f in ref.fields],
        "towns": [(t, t) for t in ref.towns],
        "coop_modes": COOP_MODES,
    }


def company_page(request: Request) -> Response:
    """The SME's company: registration form when the user has none yet."""
    actor = require_actor(request, ("sme",))
    services = request.app.state.services
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = read_form(request)
        values = {k: form_str(form, k) for k in COMPANY_FIELDS}
        try:
            with services.transaction() as session:
                company = companies.register_company(
                    session, actor, values, towns=services.reference.towns, fields=services.reference.fields
                )
            flash(request, f"已登记企业「{company.name}」，现在可以发布技术需求了")
            return RedirectResponse("/needs/new", status_code=303)
        except ValidationFailed as exc:
            errors = exc.by_field()
    with services.session() as session:
        own = companies.own_company(session, actor)
    return render(
        request,
        "needs/company.html",
        {"company": own, "form": values, "errors": errors, **_form_context(request)},
        status_code=422 if errors else 200,
    )


def need_list(request: Request) -> Response:
    actor = require_actor(request)
    services = request.app.state.services
    params = request.query_params
    filters = needs.NeedFilters(
        status=params.get("status", ""), field=params.get("field", ""), q=params.get("q", "").strip()
    )
    fmt = params.get("export")
    with services.session() as session:
        if fmt in ("xlsx", "csv"):
            result = needs.list_needs(session, actor, filters, per_page=0)
            return table_response(
                fmt, "技术需求", needs.EXPORT_HEADERS, [v.export_row() for v in result.items]
            )
        number, size = paging.requested(request, PER_PAGE)
        result = needs.list_needs(session, actor, filters, page=number, per_page=size)
    base = f"/needs?status={filters.status}&field={filters.field}&q={filters.q}"
    return render(
        request,
        "needs/list.html",
        {
            "result": result,
            "pager": paging.from_request(request, result.total, PER_PAGE),
            "filters": filters,
            "statuses": NEED_STATUSES,
            "base": base,
            "can_post": actor.role == "sme",
            **_form_context(request),
        },
    )


def need_new(request: Request) -> Response:
    actor = require_actor(request, ("sme",))
    services = request.app.state.services
    if actor.company_id is None:
        flash(request, "请先登记您所在的企业，再发布技术需求", "info")
        return RedirectResponse("/company", status_code=303)
    values: dict[str, Any] = {"coop_modes": []}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = read_form(request)
        values = need_form_values(form)
        try:
            with services.transaction() as session:
                need = needs.create_need(
                    session, actor, values, fields=services.reference.fields, today=today()
                )
            flash(request, f"已发布技术需求「{need.title}」")
            return RedirectResponse(f"/needs/{need.id}", status_code=303)
        except ValidationFailed as exc:
            errors = exc.by_field()
    return render(
        request,
        "needs/form.html",
        {"form": values, "errors": errors, "editing": None, **_form_context(request)},
        status_code=422 if errors else 200,
    )


def need_edit(request: Request) -> Response:
    actor = require_actor(request)
    services = request.app.state.services
    need_id = request.path_params["need_id"]
    with services.session() as session:
        need = needs.need_for_edit(session, actor, need_id)
        view = needs.visible_need(need, actor)
    values = _need_values(need)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = read_form(request)
        values = need_form_values(form)
        try:
            with services.transaction() as session:
                needs.update_need(
                    session, actor, need_id, values, fields=services.reference.fields, today=today()
                )
            flash(request, "已保存修改")
            return RedirectResponse(f"/needs/{need_id}", status_code=303)
        except ValidationFailed as exc:
            errors = exc.by_field()
    return render(
        request,
        "needs/form.html",
        {"form": values, "errors": errors, "editing": view, **_form_context(request)},
        status_code=422 if errors else 200,
    )


def need_status(request: Request) -> Response:
    actor = require_actor(request)
    services = request.app.state.services
    need_id = request.path_params["need_id"]
    form = read_form(request)
    new_status = form_str(form, "status")
    try:
        with services.transaction() as session:
            needs.change_status(session, actor, need_id, new_status)
        flash(request, f"需求状态已改为「{new_status}」")
    except ValidationFailed as exc:
        flash(request, exc.message, "error")
    return RedirectResponse(f"/needs/{need_id}", status_code=303)


def need_detail(request: Request) -> Response:
    actor = require_actor(request)
    services = request.app.state.services
    need_id = request.path_params["need_id"]
    with services.session() as session:
        view = needs.view_one(session, need_id, actor)
        sent = (
            meeting_requests.sent_by_company(session, actor, view.company_id, need_id)
            if view.can_edit
            else []
        )
    matches = need_matches(services, actor, view)
    return render(request, "needs/detail.html", {"need": view, "sent": sent, "matches": matches})


def my_needs(request: Request) -> Response:
    """我的需求: each of the company's needs with its status and the meeting requests sent about it."""
    actor = require_actor(request, ("sme",))
    services = request.app.state.services
    if actor.company_id is None:
        flash(request, "请先登记您所在的企业", "info")
        return RedirectResponse("/company", status_code=303)
    with services.session() as session:
        items = needs.views(session, needs.needs_of_company(session, actor.company_id), actor)
        sent = meeting_requests.sent_by_company(session, actor, actor.company_id)
    by_need: dict[int | None, list[meeting_requests.RequestRow]] = {}
    for row in sent:
        by_need.setdefault(row.need_id, []).append(row)
    fmt = request.query_params.get("export")
    if fmt in ("xlsx", "csv"):
        return table_response(fmt, "我的需求", needs.EXPORT_HEADERS, [v.export_row() for v in items])
    matches = {v.id: need_matches(services, actor, v, ON_MY_NEEDS) for v in items}
    return render(
        request,
        "needs/mine.html",
        {"items": items, "by_need": by_need, "unlinked": by_need.get(None, []), "matches": matches},
    )


routes = [
    Route("/company", company_page, methods=["GET", "POST"], include_in_schema=False),
    Route("/needs", need_list, include_in_schema=False),
    Route("/needs/new", need_new, methods=["GET", "POST"], include_in_schema=False),
    Route("/needs/{need_id:int}", need_detail, include_in_schema=False),
    Route("/needs/{need_id:int}/edit", need_edit, methods=["GET", "POST"], include_in_schema=False),
    Route("/needs/{need_id:int}/status", need_status, methods=["POST"], include_in_schema=False),
    Route("/my/needs", my_needs, include_in_schema=False),
]
