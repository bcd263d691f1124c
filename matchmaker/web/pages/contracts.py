"""技术合同 pages: list with filters and exports, record / edit / void, history, and the spreadsheet import."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import FieldError, MatchmakerError, ValidationFailed
from matchmaker.domain.money import fen_to_yuan, format_yi
from matchmaker.domain.vocab import CONTRACT_TYPES
from matchmaker.importing.sheets import check_upload
from matchmaker.services import contract_import, contracts, import_uploads, institutions, licences
from matchmaker.services.permissions import allowed
from matchmaker.web import paging
from matchmaker.web.exports import table_response
from matchmaker.web.ids import parse_id, parse_whole
from matchmaker.web.pages import imports as import_pages
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash, render

ROLES = ("bureau", "admin")
EXPORT_HEADERS = [
    "合同登记编号", "项目名称", "合同类型", "子类", "卖方", "买方", "买方统一社会信用代码", "合同成交额（元）",
    "技术交易额（元）", "签订日期", "登记日期", "技术领域", "所在镇（街道）", "状态", "作废原因",
]  # fmt: skip


def fen(amount_fen: int) -> str:
    """分 as 元 with separators and two decimals, for templates."""
    return f"{fen_to_yuan(amount_fen):,.2f}"


def _filters(request: Request) -> contracts.ContractFilters:
    params = request.query_params
    year = params.get("year", "")
    return contracts.ContractFilters(
        q=params.get("q", "").strip(),
        year=year_number if (year_number := parse_whole(year)) and 1990 <= year_number <= 2100 else None,
        field=params.get("field", ""),
        town=params.get("town", ""),
        contract_type=params.get("type", ""),
        include_voided=params.get("voided") == "1",
    )


def _export_row(c: Any) -> tuple[Any, ...]:
    return (
        c.registration_number,
        c.title,
        c.contract_type,
        c.sub_type,
        c.seller_name,
        c.buyer_name,
        c.buyer_credit_code,
        fen_to_yuan(c.amount_fen),
        fen_to_yuan(c.technology_amount_fen),
        c.signed_on,
        c.registered_on,
        c.field,
        c.town,
        "已作废" if c.voided else "有效",
        c.void_reason,
    )


def contract_list(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    filters = _filters(request)
    fmt = request.query_params.get("export")
    with services.session() as session:
        if fmt in ("xlsx", "csv"):
            rows, _total, sum_fen = contracts.list_contracts(session, filters, page_size=None)
            lines = [_export_row(c) for c in rows]
            lines.append(
                (
                    "合计（不含作废）",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    fen_to_yuan(sum_fen),
                    "",
                    None,
                    None,
                    "",
                    "",
                    "",
                    f"{format_yi(fen_to_yuan(sum_fen), 6)} 亿元",
                )
            )
            return table_response(fmt, "技术合同", EXPORT_HEADERS, lines)
        page, size = paging.requested(request, contracts.PAGE_SIZE)
        sort = request.query_params.get("sort", contracts.DEFAULT_SORT)
        rows, total, sum_fen = contracts.list_contracts(
            session, filters, page=page, page_size=size, sort=sort
        )
    query = "&".join(f"{k}={v}" for k, v in request.query_params.items() if k not in ("page", "export"))
    unsorted = "&".join(
        f"{k}={v}" for k, v in request.query_params.items() if k not in ("page", "export", "sort")
    )
    ref = services.reference
    return render(
        request,
        "contracts/list.html",
        {
            "contracts": rows,
            "total": total,
            "sum_yuan": fen_to_yuan(sum_fen),
            "sum_yi": format_yi(fen_to_yuan(sum_fen), 2),
            "filters": filters,
            "pager": paging.from_request(request, total, contracts.PAGE_SIZE),
            "sort": sort,
            "sort_base": "/contracts?" + unsorted,
            "base": "/contracts?" + query,
            "fields": ref.contract_fields,
            "towns": ref.towns,
            "types": CONTRACT_TYPES,
            "years": list(range(date.today().year, 2019, -1)),
            "can_manage": allowed(actor, "contract.manage"),
            "fen": fen,
        },
    )


def _form_context(request: Request) -> dict[str, Any]:
    services = request.app.state.services
    ref = services.reference
    with services.session() as session:
        names = [i.canonical_name for i in institutions.all_institutions(session)]
    return {
        "fields": [(f, f) for f in ref.contract_fields],
        "towns": [(t, t) for t in ref.towns],
        "types": [(t, t) for t in CONTRACT_TYPES],
        "institution_names": names,
    }


def _render_form(
    request: Request, form: dict[str, str], errors: dict[str, str], editing: Any = None, origin: str = ""
) -> Response:
    return render(
        request,
        "contracts/form.html",
        {
            "form": form,
            "errors": errors,
            "editing": editing,
            "origin": origin,
            "understood": contracts.understood_amounts(form),
            **_form_context(request),
        },
        status_code=422 if errors else 200,
    )


def contract_new(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    form: dict[str, str] = {}
    origin = ""
    if request.method == "POST":
        data = read_form(request)
        form = {name: form_str(data, name) for name in contracts.INPUT_FIELDS}
        origin = form_str(data, "origin")
        licence_id = form_str(data, "licence_id")
        form["licence_id"] = licence_id
        try:
            with services.transaction() as session:
                contract = contracts.create_contract(session, actor, services.reference, form)
                if (licence_number := parse_id(licence_id)) is not None:
                    licences.attach_contract(session, actor, licence_number, contract.id or 0)
            understood = contracts.understood_amounts(form).get("amount_yuan", "")
            flash(
                request,
                f"已登记合同 {contract.registration_number}"
                + (f"；成交额读作：{understood}" if understood else ""),
            )
            return RedirectResponse(f"/contracts/{contract.id}", status_code=303)
        except ValidationFailed as exc:
            return _render_form(request, form, exc.by_field(), origin=origin)
    meeting = request.query_params.get("meeting", "")
    meeting_id = parse_id(meeting)
    if meeting_id is not None:
        with services.session() as session:
            form, origin = contracts.prefill_from_meeting(session, services.reference, meeting_id)
    licence = parse_id(request.query_params.get("licence", ""))
    if licence is not None:
        with services.session() as session:
            form, origin = licences.prefill_contract(session, services.reference, actor, licence)
    request_id = parse_id(request.query_params.get("request", ""))
    if request_id is not None:
        with services.session() as session:
            form, origin = contracts.prefill_from_request(session, services.reference, request_id)
    return _render_form(request, form, {}, origin=origin)


def contract_detail(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    with services.session() as session:
        contract = contracts.get_contract(session, request.path_params["contract_id"])
        entries = contracts.history(session, contract.id or 0)
    return render(
        request,
        "contracts/detail.html",
        {
            "c": contract,
            "history": entries,
            "labels": contracts.AUDIT_LABELS,
            "can_manage": allowed(actor, "contract.manage"),
            "errors": {},
            "fen": fen,
        },
    )


def contract_edit(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    contract_id = request.path_params["contract_id"]
    with services.session() as session:
        contract = contracts.get_contract(session, contract_id)
    form = contracts.as_input(contract)
    if request.method == "POST":
        data = read_form(request)
        form = {name: form_str(data, name) for name in (*contracts.INPUT_FIELDS, "version")}
        try:
            with services.transaction() as session:
                changed = contracts.update_contract(session, actor, services.reference, contract_id, form)
            labels = "、".join(contracts.AUDIT_LABELS.get(c, c) for c in changed) or "无变化"
            flash(request, f"已保存合同 {contract.registration_number}（修改：{labels}）")
            return RedirectResponse(f"/contracts/{contract_id}", status_code=303)
        except ValidationFailed as exc:
            return _render_form(request, form, exc.by_field(), editing=contract)
    return _render_form(request, form, {}, editing=contract)


def contract_void(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    contract_id = request.path_params["contract_id"]
    data = read_form(request)
    try:
        with services.transaction() as session:
            contract = contracts.void_contract(session, actor, contract_id, form_str(data, "reason"))
        flash(request, f"合同 {contract.registration_number} 已作废，不再计入成交额")
        return RedirectResponse(f"/contracts/{contract_id}", status_code=303)
    except ValidationFailed as exc:
        with services.session() as session:
            contract = contracts.get_contract(session, contract_id)
            entries = contracts.history(session, contract_id)
        return render(
            request,
            "contracts/detail.html",
            {
                "c": contract,
                "history": entries,
                "labels": contracts.AUDIT_LABELS,
                "can_manage": True,
                "errors": exc.by_field(),
                "fen": fen,
            },
            status_code=422,
        )


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
            check_upload(content, upload.filename, max_bytes=services.settings.max_upload_bytes)
            job_id = contract_import.submit_preview(services, actor, content, upload.filename)
            return RedirectResponse(f"/jobs/{job_id}", status_code=303)
        except ValidationFailed as exc:
            errors = exc.by_field() or {"file": exc.message}
        except MatchmakerError as exc:  # an unreadable file or missing columns: one sentence beside the field
            errors = {"file": exc.message}
    return render(
        request,
        "contracts/import.html",
        {"errors": errors, "preview": None},
        status_code=422 if errors else 200,
    )


def import_preview(request: Request) -> Response:
    """GET: the stored preview. POST: 确认导入 — queued as a job; the file is checked again (with the confirmed
    mapping) in the committing transaction, so a contract registered meanwhile is a duplicate, not stored twice."""
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    token = request.path_params["token"]
    stored = import_uploads.load(services.settings.var_dir, actor, "contract", token)
    if request.method == "POST":
        read_form(request)
        job_id = contract_import.submit_commit(services, actor, token)
        return RedirectResponse(f"/jobs/{job_id}", status_code=303)
    return _render_preview(request, stored.report, token)


def _render_preview(request: Request, report: Any, token: str) -> Response:
    document = {
        "filename": report.filename,
        "summary": report.to_json(committed=0),
        "rows": contract_import.rows_for_display(report),
        "technology_total_yuan": format(report.technology_total_yuan, "f"),
    }
    return render(
        request,
        "contracts/import.html",
        {
            "errors": {},
            "preview": document,
            "report": report,
            "counts": import_pages.counts(report),
            "fields": import_uploads.kind_fields("contract"),
            "token": token,
        },
    )


def import_remap(request: Request) -> Response:
    """The mapping step for a registration-system export: previewed again as a job (see ``imports.remap``)."""
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    token = request.path_params["token"]
    stored = import_uploads.load(services.settings.var_dir, actor, "contract", token)
    form = read_form(request)
    job_id = contract_import.submit_preview(
        services,
        actor,
        stored.data,
        stored.filename,
        import_pages.decisions_from_form(form),
        import_pages.profile_to_save(form),
    )
    import_uploads.discard(services.settings.var_dir, "contract", token)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def import_discard(request: Request) -> Response:
    """放弃本次导入: the stored file and preview are removed at once."""
    actor = require_actor(request, ROLES)
    read_form(request)
    var_dir, token = request.app.state.services.settings.var_dir, request.path_params["token"]
    import_uploads.load(var_dir, actor, "contract", token)  # the uploader's only
    import_uploads.discard(var_dir, "contract", token)
    flash(request, "已放弃这次导入，上传的文件和预览已删除")
    return RedirectResponse("/contracts/import", status_code=303)


def import_errors(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    stored = import_uploads.load(
        request.app.state.services.settings.var_dir, actor, "contract", request.path_params["token"]
    )
    return import_pages.error_download(stored.report, stored.filename.rsplit(".", 1)[0])


routes = [
    Route("/contracts", contract_list),
    Route("/contracts/new", contract_new, methods=["GET", "POST"]),
    Route("/contracts/import", import_upload, methods=["GET", "POST"], include_in_schema=False),
    Route("/contracts/import/{token:str}/discard", import_discard, methods=["POST"], include_in_schema=False),
    Route("/contracts/import/{token:str}", import_preview, methods=["GET", "POST"], include_in_schema=False),
    Route("/contracts/import/{token:str}/map", import_remap, methods=["POST"], include_in_schema=False),
    Route("/contracts/import/{token:str}/errors.xlsx", import_errors, include_in_schema=False),
    Route("/contracts/{contract_id:int}", contract_detail),
    Route("/contracts/{contract_id:int}/edit", contract_edit, methods=["GET", "POST"]),
    Route("/contracts/{contract_id:int}/void", contract_void, methods=["POST"]),
]
