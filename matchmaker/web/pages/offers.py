"""专利成果 pages: list (filters, sort, pages, exports), detail, new/edit form, status buttons, and the
spreadsheet import (upload → preview → 确认导入) with its template download."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData, QueryParams, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import FieldError, PermissionDenied, ValidationFailed
from matchmaker.domain.identifiers import patent_check_char
from matchmaker.domain.offers import FIELD_LABELS
from matchmaker.domain.vocab import LEGAL_STATUSES, OFFER_STATUSES, PATENT_TYPES, TRANSFER_MODES
from matchmaker.importing.headers import load_header_synonyms
from matchmaker.importing.sheets import ImportFileError, check_upload
from matchmaker.services import import_uploads, institutions, licences, offer_import, offers
from matchmaker.services.offers import DuplicateOffer, OfferFilters
from matchmaker.services.permissions import Actor
from matchmaker.web import paging
from matchmaker.web.exports import XLSX, table_response, xlsx_bytes
from matchmaker.web.ids import parse_id, parse_whole
from matchmaker.web.pages import imports as import_pages
from matchmaker.web.pages.matches import offer_matches
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash, render

#: Short readings of the nine technology readiness levels (after GB/T 22900), shown beside the TRL select.
TRL_LABELS = {
    1: "发现基本原理",
    2: "形成技术概念",
    3: "关键功能验证",
    4: "实验室环境部件验证",
    5: "相关环境部件验证",
    6: "相关环境系统演示",
    7: "实际环境原型演示",
    8: "系统定型并通过试验",
    9: "实际运行验证",
}
WRITERS = ("researcher",)  # and admins, who pass every role check
EXPORT_HEADERS = (
    "编号", "专利名称", "申请号", "专利类型", "法律状态", "权利人", "发明人", "IPC分类号", "转化方式", "意向价格（万元）",
    "技术成熟度", "所属领域", "联系方式", "状态", "更新时间",
)  # fmt: skip
# Canonical header order of the downloadable template (field names of seed/headers.json's "offer" kind).
TEMPLATE_FIELDS = (
    "title", "application_number", "patent_type", "legal_status", "ipc", "inventors", "institution",
    "transfer_modes", "price_wan", "trl", "field", "contact_name", "contact_phone", "abstract", "claims",
)  # fmt: skip
_OFFER_REF = re.compile(r"已有成果 #(\d+)")
_FORM_FIELDS = (*offers.EDITABLE_FIELDS, "price_negotiable")


def _int_or_none(text: str | None) -> int | None:
    return parse_whole(text)


def filters_from(params: QueryParams, *, mine: bool = False) -> OfferFilters:
    """Query string → filters; junk in a number box means "any" (links are edited by hand)."""
    return OfferFilters(
        field=params.get("field", "").strip(),
        institution_id=_int_or_none(params.get("institution_id")),
        patent_type=params.get("patent_type", "").strip(),
        legal_status=params.get("legal_status", "").strip(),
        status=params.get("status", "").strip(),
        trl_min=_int_or_none(params.get("trl_min")),
        trl_max=_int_or_none(params.get("trl_max")),
        price_min_wan=_int_or_none(params.get("price_min")),
        price_max_wan=_int_or_none(params.get("price_max")),
        q=params.get("q", "").strip(),
        mine=mine,
        open_licence=params.get("open_licence") == "1",
    )


def _query(params: QueryParams, **changes: str) -> str:
    """The current filters as a query string, for sort links, pages and exports (page reset unless given)."""
    kept = {k: v for k, v in params.items() if v and k not in ("page", "export")}
    kept.update({k: v for k, v in changes.items() if v})
    return urlencode(kept)


def offer_list(request: Request) -> Response:
    actor = require_actor(request)
    services = request.app.state.services
    mine = request.url.path == "/my/offers"
    params = request.query_params
    filters = filters_from(params, mine=mine)
    sort = params.get("sort", "updated")
    fmt = params.get("export")
    if fmt in ("xlsx", "csv"):
        with services.session() as session:
            everything = offers.list_offers(session, actor, filters, sort=sort, per_page=None)
        rows = [
            (r.offer.id, r.offer.title, r.offer.application_number, r.offer.patent_type, r.offer.legal_status,
             r.institution, r.offer.inventors, r.offer.ipc, r.offer.transfer_modes,
             "面议" if r.offer.price_wan is None else r.offer.price_wan, r.offer.trl, r.offer.field, r.offer.contact,
             r.offer.status, r.offer.updated_at.strftime("%Y-%m-%d"))
            for r in everything.rows
        ]  # fmt: skip
        return table_response(fmt, "我的成果" if mine else "专利成果", EXPORT_HEADERS, rows)
    number, size = paging.requested(request, offers.PER_PAGE)
    with services.session() as session:
        page = offers.list_offers(session, actor, filters, sort=sort, page=number, per_page=size)
        all_institutions = institutions.all_institutions(session)
    return render(
        request, "offers/list.html",
        {"page": page, "pager": paging.from_request(request, page.total, offers.PER_PAGE), "filters": filters, "params": params, "sort": sort, "sorts": offers.SORTS, "mine": mine,
         "base": request.url.path, "query": _query(params), "institutions": all_institutions,
         "fields": services.reference.fields, "patent_types": PATENT_TYPES, "legal_statuses": LEGAL_STATUSES,
         "statuses": OFFER_STATUSES, "trl_labels": TRL_LABELS, "can_write": actor.is_admin or actor.role in WRITERS,
         "title": "我的成果" if mine else "专利成果"},
    )  # fmt: skip


def _form_context(services: Any, actor: Actor) -> dict[str, Any]:
    with services.session() as session:
        all_institutions = institutions.all_institutions(session)
        own = institutions.own_institution(session, actor)
    options = {
        "patent_type": PATENT_TYPES, "legal_status": LEGAL_STATUSES, "field": services.reference.fields,
        "institution": [i.canonical_name for i in all_institutions],
    }  # fmt: skip
    return {
        "options": {name: [(v, v) for v in values] for name, values in options.items()}, "own_institution": own,
        "transfer_modes": TRANSFER_MODES, "trl_labels": TRL_LABELS,
    }  # fmt: skip


def _typed(form: FormData) -> dict[str, Any]:
    """What the person typed, kept as typed so a rejected form shows it again."""
    values: dict[str, Any] = {name: form_str(form, name) for name in _FORM_FIELDS}
    values["transfer_modes"] = [v for v in form.getlist("transfer_modes") if isinstance(v, str)]
    values["version"] = form_str(form, "version")
    return values


def _render_form(
    request: Request,
    actor: Actor,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    editing: Any = None,
    duplicate: DuplicateOffer | None = None,
) -> Response:
    context = _form_context(request.app.state.services, actor)
    return render(
        request,
        "offers/form.html",
        {"form": values, "errors": errors, "editing": editing, "duplicate": duplicate, **context},
        status_code=422 if errors else 200,
    )


def offer_new(request: Request) -> Response:
    actor = require_actor(request, WRITERS)
    services = request.app.state.services
    if request.method != "POST":
        return _render_form(request, actor, {"price_negotiable": ""}, {})
    form = read_form(request)
    values = _typed(form)
    status = form_str(form, "status") or "草稿"
    try:
        with services.transaction() as session:
            offer = offers.create_offer(
                session,
                actor,
                values,
                fields=services.reference.fields,
                status=status,
                confirm_duplicate=form_str(form, "confirm_duplicate") == "1",
            )
    except DuplicateOffer as exc:
        return _render_form(request, actor, values, exc.by_field(), duplicate=exc)
    except ValidationFailed as exc:
        return _render_form(request, actor, values, exc.by_field())
    flash(request, f"已登记专利成果「{offer.title}」（{offer.status}）")
    return RedirectResponse(f"/offers/{offer.id}", status_code=303)


def offer_edit(request: Request) -> Response:
    actor = require_actor(request, WRITERS)
    services = request.app.state.services
    with services.session() as session:
        detail = offers.get_offer(session, actor, request.path_params["offer_id"])
    if request.method != "POST":
        if not detail.can_edit:  # the form alone; the write itself is authorized by the service
            raise PermissionDenied("只能修改本单位的专利成果")
        return _render_form(
            request,
            actor,
            offers.form_values(detail.offer, detail.institution.canonical_name),
            {},
            editing=detail.offer,
        )
    form = read_form(request)
    values = _typed(form)
    try:
        with services.transaction() as session:
            offers.update_offer(
                session,
                actor,
                detail.offer.id or 0,
                values,
                fields=services.reference.fields,
                confirm_duplicate=form_str(form, "confirm_duplicate") == "1",
            )
    except DuplicateOffer as exc:
        return _render_form(request, actor, values, exc.by_field(), editing=detail.offer, duplicate=exc)
    except ValidationFailed as exc:
        return _render_form(request, actor, values, exc.by_field(), editing=detail.offer)
    flash(request, "已保存修改")
    return RedirectResponse(f"/offers/{detail.offer.id}", status_code=303)


def offer_detail(request: Request) -> Response:
    actor = require_actor(request)
    services = request.app.state.services
    with services.session() as session:
        detail = offers.get_offer(session, actor, request.path_params["offer_id"])
    matches = offer_matches(services, actor, detail.offer)
    with services.session() as session:
        licence_panel = licences.offer_panel(session, actor, detail.offer)
    return render(
        request,
        "offers/detail.html",
        {
            "d": detail,
            "o": detail.offer,
            "trl_labels": TRL_LABELS,
            "labels": FIELD_LABELS,
            "matches": matches,
            "licence_panel": licence_panel,
        },
    )


def offer_status(request: Request) -> Response:
    actor = require_actor(request)
    offer_id = request.path_params["offer_id"]
    form = read_form(request)
    status = form_str(form, "status")
    try:
        with request.app.state.services.transaction() as session:
            offers.change_status(session, actor, offer_id, status)
    except ValidationFailed as exc:
        flash(request, exc.message, "error")
    else:
        flash(request, f"成果状态已改为「{status}」")
    return RedirectResponse(f"/offers/{offer_id}", status_code=303)


# --- import ---------------------------------------------------------------------------------------------------


def _preview_rows(report: offer_import.OfferReport) -> list[dict[str, Any]]:
    """Each row as the preview table shows it; a stored duplicate links to the offer it repeats."""
    rows = []
    for r in report.results:
        match = _OFFER_REF.search(r.duplicate_of or "")
        rows.append({
            "row": r.row, "status": r.status, "probable": r.probable, "draft": r.draft,
            "errors": [e.message for e in r.errors], "identity": r.identity,
            "warnings": r.warnings, "duplicate_of": r.duplicate_of,
            "duplicate_link": f"/offers/{match[1]}" if match else None,
        })  # fmt: skip
    return rows


def _render_import(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    return render(
        request,
        "offers/import.html",
        {
            "errors": {},
            "report": None,
            "token": "",
            "fields": import_uploads.kind_fields("offer"),
            "profile_name": "",
            "max_mb": request.app.state.services.settings.max_upload_bytes // (1024 * 1024),
            **context,
        },
        status_code=status_code,
    )


def import_page(request: Request) -> Response:
    """GET: the upload form. POST: cheap checks, then the preview is queued as a job (a 50,000-row sheet takes a
    while); the person lands on the job page, which leads to the preview (kept server-side under a random id)."""
    actor = require_actor(request, WRITERS)
    services = request.app.state.services
    if request.method != "POST":
        return _render_import(request, {})
    try:
        form = read_form(request, max_files=1)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed([FieldError("file", "请选择要导入的 .xlsx 或 .csv 文件")])
        data = upload.file.read()
        check_upload(data, upload.filename, max_bytes=services.settings.max_upload_bytes)
        job_id = offer_import.submit_preview(services, actor, data, upload.filename)
    except (ImportFileError, ValidationFailed) as exc:
        message = exc.message if isinstance(exc, ImportFileError) else exc.field_errors()[0].message
        return _render_import(request, {"errors": {"file": message}}, status_code=422)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def _render_preview(request: Request, actor: Actor, report: offer_import.OfferReport, token: str) -> Response:
    services = request.app.state.services
    with services.session() as session:
        own = institutions.own_institution(session, actor)
    return _render_import(
        request,
        {
            "report": report,
            "rows": _preview_rows(report),
            "token": token,
            "counts": import_pages.counts(report),
            "profile_name": own.canonical_name if own else "",
        },
    )


def import_remap(request: Request) -> Response:
    """The mapping step: the same file previewed again (a job) with the chosen columns and value answers; a
    ticked box saves them as an import profile, applied automatically to the next file from that source."""
    actor = require_actor(request, WRITERS)
    services = request.app.state.services
    token = request.path_params["token"]
    stored = offer_import.load_upload(services, actor, token)
    form = read_form(request)
    job_id = offer_import.submit_preview(
        services,
        actor,
        stored.data,
        stored.filename,
        import_pages.decisions_from_form(form),
        import_pages.profile_to_save(form),
    )
    offer_import.discard_preview(services, token)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def import_errors(request: Request) -> Response:
    """The rows with errors, as the file had them plus 错误原因, to fix and upload again."""
    actor = require_actor(request, WRITERS)
    stored = offer_import.load_upload(request.app.state.services, actor, request.path_params["token"])
    return import_pages.error_download(stored.report, stored.filename.rsplit(".", 1)[0])


def import_commit(request: Request) -> Response:
    """GET: the stored preview. POST (确认导入): the commit is queued as a job (one transaction, in the worker)."""
    actor = require_actor(request, WRITERS)
    services = request.app.state.services
    token = request.path_params["token"]
    if request.method != "POST":
        return _render_preview(request, actor, offer_import.load_preview(services, actor, token), token)
    form = read_form(request)
    confirmed = {n for v in form.getlist("confirm_row") if (n := parse_id(v)) is not None}
    job_id = offer_import.submit_commit(services, actor, token, confirmed, form_str(form, "status") or "发布")
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def import_discard(request: Request) -> Response:
    """放弃本次导入: the stored file and preview are removed at once."""
    actor = require_actor(request, WRITERS)
    services = request.app.state.services
    read_form(request)
    token = request.path_params["token"]
    offer_import.load_preview(services, actor, token)  # the uploader's only
    offer_import.discard_preview(services, token)
    flash(request, "已放弃这次导入，上传的文件和预览已删除")
    return RedirectResponse("/import/offers", status_code=303)


def import_template(request: Request) -> Response:
    """An .xlsx with the canonical headers and one example row, which the import reads as one valid offer."""
    actor = require_actor(request, WRITERS)
    services = request.app.state.services
    with services.session() as session:
        own = institutions.own_institution(session, actor)
    synonyms = load_header_synonyms()
    digits = "202410123456"
    example = {
        "title": "一种锂离子电池极片辊压厚度在线检测方法", "application_number": f"{digits}.{patent_check_char(digits)}",
        "patent_type": "发明", "legal_status": "审中", "ipc": "H01M 4/04; G01B 11/06", "inventors": "王平、李强",
        "institution": own.canonical_name if own else "东南大学溧阳研究院", "transfer_modes": "转让、普通许可",
        "price_wan": "50", "trl": "6", "field": "动力电池", "contact_name": "王工", "contact_phone": "0519-87000000",
        "abstract": "本发明公开了一种极片厚度在线检测方法（示例行，导入前请删除）。", "claims": "1. 一种检测方法，其特征在于……",
    }  # fmt: skip
    headers = [synonyms.header_for("offer", name) for name in TEMPLATE_FIELDS]
    body = xlsx_bytes("专利成果导入模板", headers, [[example[name] for name in TEMPLATE_FIELDS]])
    return Response(
        body,
        media_type=XLSX,
        headers={"content-disposition": "attachment; filename*=UTF-8''offers_template.xlsx"},
    )


# Pages are not API operations: their docstrings are prose, not OpenAPI YAML.
routes = [
    Route("/offers", offer_list, include_in_schema=False),
    Route("/my/offers", offer_list, include_in_schema=False),
    Route("/offers/new", offer_new, methods=["GET", "POST"], include_in_schema=False),
    Route("/offers/{offer_id:int}", offer_detail, include_in_schema=False),
    Route("/offers/{offer_id:int}/edit", offer_edit, methods=["GET", "POST"], include_in_schema=False),
    Route("/offers/{offer_id:int}/status", offer_status, methods=["POST"], include_in_schema=False),
    Route("/import/offers", import_page, methods=["GET", "POST"], include_in_schema=False),
    Route("/import/offers/template.xlsx", import_template, include_in_schema=False),
    Route("/import/offers/{token:str}", import_commit, methods=["GET", "POST"], include_in_schema=False),
    Route("/import/offers/{token:str}/discard", import_discard, methods=["POST"], include_in_schema=False),
    Route("/import/offers/{token:str}/map", import_remap, methods=["POST"], include_in_schema=False),
    Route("/import/offers/{token:str}/errors.xlsx", import_errors, include_in_schema=False),
]
