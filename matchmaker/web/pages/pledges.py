"""专利权质押 pages: the register with filters and exports, record / change (变更) / release (注销), history."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import FieldError, MatchmakerError, ValidationFailed
from matchmaker.domain.money import fen_to_yuan, format_yi
from matchmaker.domain.pledges import PLEDGE_STATUSES, PLEDGEE_KINDS
from matchmaker.importing.pledges import PLEDGE
from matchmaker.services import import_uploads, pledge_import, pledges
from matchmaker.services.import_profiles import Decisions
from matchmaker.services.permissions import allowed
from matchmaker.web import paging
from matchmaker.web.exports import table_response
from matchmaker.web.pages.contracts import fen
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash, render

ROLES = ("bureau", "admin")
EXPORT_HEADERS = [
    "质押登记号", "出质人", "出质人统一社会信用代码", "质权人", "质权人类型", "出质专利", "担保债权数额（元）",
    "登记日期", "债务起始日", "债务到期日", "状态", "变更日期", "注销日期", "所属领域", "所在镇（街道）",
]  # fmt: skip


def _export_row(p: Any) -> tuple[Any, ...]:
    return (
        p.registration_number,
        p.pledgor_name,
        p.pledgor_credit_code,
        p.pledgee_name,
        p.pledgee_kind,
        "；".join(x["number"] + (f"（{x['main_ipc']}）" if x.get("main_ipc") else "") for x in p.patents),
        fen_to_yuan(p.amount_fen),
        p.registered_on,
        p.debt_from,
        p.debt_to,
        p.status,
        p.changed_on,
        p.cancelled_on,
        p.field,
        p.town,
    )


def pledge_list(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    errors: dict[str, str] = {}
    try:
        filters = pledges.parse_filters(request.query_params)
    except ValidationFailed as exc:
        errors, filters = exc.by_field(), pledges.PledgeFilters()
    fmt = request.query_params.get("export")
    with services.session() as session:
        if fmt in ("xlsx", "csv") and not errors:
            rows, total, sum_fen = pledges.list_pledges(session, filters, page_size=None)
            lines = [_export_row(p) for p in rows]
            blank: list[Any] = [""] * (len(EXPORT_HEADERS) - 2)
            lines.append(("合计", f"{total} 项", *blank[:4], fen_to_yuan(sum_fen), *blank[5:]))
            return table_response(fmt, "专利权质押登记", EXPORT_HEADERS, lines)
        page, size = paging.requested(request, pledges.PAGE_SIZE)
        rows, total, sum_fen = pledges.list_pledges(session, filters, page=page, page_size=size)
        banks = pledges.pledgees(session)
    query = "&".join(f"{k}={v}" for k, v in request.query_params.items() if k not in ("page", "export"))
    ref = services.reference
    return render(
        request,
        "pledges/list.html",
        {
            "pledges": rows,
            "total": total,
            "sum_yuan": fen_to_yuan(sum_fen),
            "sum_yi": format_yi(fen_to_yuan(sum_fen), 4),
            "filters": filters,
            "errors": errors,
            "params": request.query_params,
            "pager": paging.from_request(request, total, pledges.PAGE_SIZE),
            "base": "/pledges?" + query,
            "fields": ref.fields,
            "towns": ref.towns,
            "banks": banks,
            "statuses": PLEDGE_STATUSES,
            "can_manage": allowed(actor, "pledge.manage"),
            "fen": fen,
        },
        status_code=422 if errors else 200,
    )


def _render_form(
    request: Request, form: dict[str, str], errors: dict[str, str], editing: Any = None
) -> Response:
    ref = request.app.state.services.reference
    return render(
        request,
        "pledges/form.html",
        {
            "form": form,
            "errors": errors,
            "editing": editing,
            "fields": [(f, f) for f in ref.fields],
            "towns": [(t, t) for t in ref.towns],
            "kinds": [(k, k) for k in PLEDGEE_KINDS],
        },
        status_code=422 if errors else 200,
    )


def pledge_new(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    form: dict[str, str] = {}
    if request.method == "POST":
        data = read_form(request)
        form = {name: form_str(data, name) for name in pledges.INPUT_FIELDS}
        try:
            with services.transaction() as session:
                pledge = pledges.create_pledge(session, actor, services.reference, form)
            flash(
                request, f"已登记质押 {pledge.registration_number}，担保债权数额 {fen(pledge.amount_fen)} 元"
            )
            return RedirectResponse(f"/pledges/{pledge.id}", status_code=303)
        except ValidationFailed as exc:
            return _render_form(request, form, exc.by_field())
    return _render_form(request, form, {})


def pledge_detail(request: Request, errors: dict[str, str] | None = None) -> Response:
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    with services.session() as session:
        pledge = pledges.get_pledge(session, request.path_params["pledge_id"])
        entries = pledges.history(session, pledge.id or 0)
    return render(
        request,
        "pledges/detail.html",
        {
            "p": pledge,
            "history": entries,
            "labels": pledges.AUDIT_LABELS,
            "can_manage": allowed(actor, "pledge.manage"),
            "errors": errors or {},
            "fen": fen,
        },
        status_code=422 if errors else 200,
    )


def pledge_change(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    pledge_id = request.path_params["pledge_id"]
    with services.session() as session:
        pledge = pledges.get_pledge(session, pledge_id)
    form = {**pledges.as_input(pledge), "changed_on": ""}
    if request.method == "POST":
        data = read_form(request)
        form = {name: form_str(data, name) for name in (*pledges.INPUT_FIELDS, "changed_on")}
        try:
            with services.transaction() as session:
                changed = pledges.change_pledge(session, actor, services.reference, pledge_id, form)
            labels = "、".join(pledges.AUDIT_LABELS.get(c, c) for c in changed)
            flash(request, f"已办理变更登记 {pledge.registration_number}（变更：{labels}）")
            return RedirectResponse(f"/pledges/{pledge_id}", status_code=303)
        except ValidationFailed as exc:
            return _render_form(request, form, exc.by_field(), editing=pledge)
    return _render_form(request, form, {}, editing=pledge)


def pledge_cancel(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    pledge_id = request.path_params["pledge_id"]
    data = read_form(request)
    try:
        with services.transaction() as session:
            pledge = pledges.cancel_pledge(
                session, actor, pledge_id, form_str(data, "cancelled_on"), form_str(data, "reason")
            )
        flash(request, f"质押 {pledge.registration_number} 已注销；担保债权数额仍计入登记当年的质押融资额")
        return RedirectResponse(f"/pledges/{pledge_id}", status_code=303)
    except ValidationFailed as exc:
        return pledge_detail(request, exc.by_field())


def import_upload(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = read_form(request, max_files=1)
        upload = data.get("file")
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise ValidationFailed([FieldError("file", "请选择要导入的 .xlsx 或 .csv 文件")])
            content = upload.file.read()
            with services.session() as session:
                report = pledge_import.preview(
                    session,
                    services.reference,
                    content,
                    upload.filename,
                    max_bytes=services.settings.max_upload_bytes,
                )
            token = import_uploads.save(
                services.settings.var_dir, actor, pledge_import.KIND, upload.filename, content, report
            )
            return RedirectResponse(f"/pledges/import/{token}", status_code=303)
        except ValidationFailed as exc:
            errors = exc.by_field() or {"file": exc.message}
        except MatchmakerError as exc:  # an unreadable file: one sentence beside the field
            errors = {"file": exc.message}
    return render(
        request,
        "pledges/import.html",
        {"errors": errors, "preview": None},
        status_code=422 if errors else 200,
    )


def import_preview(request: Request) -> Response:
    """The preview; POST ``action=map`` re-reads the file with the columns the person chose (the mapping
    step), POST ``action=commit`` stores the valid rows."""
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    token = request.path_params["token"]
    var_dir = services.settings.var_dir
    stored = import_uploads.load(var_dir, actor, pledge_import.KIND, token)
    if request.method == "POST":
        data = read_form(request)
        if form_str(data, "action") == "map":
            decisions = Decisions(
                columns={
                    spec.name: form_str(data, f"map_{spec.name}")
                    for spec in PLEDGE.fields
                    if form_str(data, f"map_{spec.name}")
                }
            )
            with services.session() as session:
                report = pledge_import.preview(
                    session, services.reference, stored.data, stored.filename, decisions=decisions
                )
            import_uploads.discard(var_dir, pledge_import.KIND, token)
            token = import_uploads.save(
                var_dir, actor, pledge_import.KIND, stored.filename, stored.data, report, decisions
            )
            return RedirectResponse(f"/pledges/import/{token}", status_code=303)
        with services.transaction() as session:
            report = pledge_import.preview(
                session, services.reference, stored.data, stored.filename, decisions=stored.decisions or None
            )
            committed = pledge_import.commit(session, actor, report)
        import_uploads.discard(var_dir, pledge_import.KIND, token)
        flash(
            request,
            f"已导入 {committed} 项质押登记，担保债权数额合计 {report.total_yuan:,.2f} 元"
            f"；{len(report.with_status('duplicate'))} 行重复、{len(report.with_status('error'))} 行有误，未导入",
        )
        return RedirectResponse("/pledges", status_code=303)
    document = pledge_import.document(stored.report, dict(stored.decisions.columns))
    return render(
        request,
        "pledges/import.html",
        {"errors": {}, "preview": document, "token": token, "fields": PLEDGE.fields},
    )


routes = [
    Route("/pledges", pledge_list),
    Route("/pledges/new", pledge_new, methods=["GET", "POST"]),
    Route("/pledges/import", import_upload, methods=["GET", "POST"]),
    Route("/pledges/import/{token:str}", import_preview, methods=["GET", "POST"]),
    Route("/pledges/{pledge_id:int}", pledge_detail),
    Route("/pledges/{pledge_id:int}/change", pledge_change, methods=["GET", "POST"]),
    Route("/pledges/{pledge_id:int}/cancel", pledge_cancel, methods=["POST"]),
]
