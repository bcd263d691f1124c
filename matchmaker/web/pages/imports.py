"""Bulk imports of technology needs (企业技术需求征集表) and of a company directory, for the bureau and admins,
and the mapping step and error download shared with the offer and contract imports."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import FieldError, MatchmakerError, NotFound, ValidationFailed
from matchmaker.importing.sheets import check_upload
from matchmaker.services import directory_import, import_profiles, import_uploads
from matchmaker.services.import_profiles import Decisions
from matchmaker.web.exports import table_response
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import render

ROLES = ("bureau",)  # and admins
#: URL word → import kind
KINDS = {"needs": "need", "companies": "company"}
TITLES = {"need": "导入企业技术需求", "company": "导入企业名录"}


def decisions_from_form(form: FormData) -> Decisions:
    """The mapping step's selects (``map_<field>``) and value answers (``q_<n>_field/value/answer``)."""
    columns = {
        key.removeprefix("map_"): value.strip()
        for key, value in form.multi_items()
        if key.startswith("map_") and isinstance(value, str)
    }
    answers: dict[str, dict[str, str]] = {}
    numbers = {key.split("_")[1] for key in form if key.startswith("q_") and key.endswith("_answer")}
    for n in numbers:
        answer = form_str(form, f"q_{n}_answer")
        field, value = form_str(form, f"q_{n}_field"), form_str(form, f"q_{n}_value")
        if answer and field and value:
            answers.setdefault(import_profiles.vocabulary_of(field), {})[value] = answer
    return Decisions(columns, answers)


def counts(report: Any) -> dict[str, int]:
    return {s: len(report.with_status(s)) for s in ("valid", "error", "duplicate")}


def error_download(report: Any, stem: str) -> Response:
    headers, rows = import_uploads.error_rows(report)
    return table_response("xlsx", f"{stem}-错误行", headers, rows)


def _slug(request: Request) -> str:
    return request.url.path.split("/")[2]


def _kind(request: Request) -> str:
    kind = KINDS.get(_slug(request))
    if kind is None:
        raise NotFound("没有这种导入")
    return kind


def _page(request: Request, kind: str, context: dict[str, Any], status_code: int = 200) -> Response:
    return render(
        request,
        "imports/page.html",
        {
            "kind": kind,
            "slug": next(s for s, k in KINDS.items() if k == kind),
            "title": TITLES[kind],
            "errors": {},
            "report": None,
            "fields": import_uploads.kind_fields(kind),
            "max_mb": request.app.state.services.settings.max_upload_bytes // (1024 * 1024),
            **context,
        },
        status_code=status_code,
    )


def upload(request: Request) -> Response:
    """GET: the upload form. POST: queue the preview (a job; nothing written) and go to its page."""
    actor = require_actor(request, ROLES)
    kind = _kind(request)
    services = request.app.state.services
    if request.method != "POST":
        return _page(request, kind, {})
    try:
        form = read_form(request, max_files=1)
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            raise ValidationFailed([FieldError("file", "请选择要导入的 .xlsx 或 .csv 文件")])
        data = file.file.read()
        check_upload(data, file.filename, max_bytes=services.settings.max_upload_bytes)
        job_id = directory_import.submit_preview(services, actor, kind, data, file.filename)
    except MatchmakerError as exc:
        message = exc.field_errors()[0].message if isinstance(exc, ValidationFailed) else exc.message
        return _page(request, kind, {"errors": {"file": message}}, status_code=422)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def preview(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    kind = _kind(request)
    services = request.app.state.services
    stored = import_uploads.load(services.settings.var_dir, actor, kind, request.path_params["token"])
    report = stored.report
    return _page(
        request,
        kind,
        {
            "report": report,
            "token": request.path_params["token"],
            "counts": counts(report),
            "profile_name": "",
        },
    )


def remap(request: Request) -> Response:
    """The mapping step: the same file previewed again (a job) with the chosen columns and answers, saved as
    an import profile when the box is ticked."""
    actor = require_actor(request, ROLES)
    kind = _kind(request)
    services = request.app.state.services
    token = request.path_params["token"]
    stored = import_uploads.load(services.settings.var_dir, actor, kind, token)
    form = read_form(request)
    job_id = directory_import.submit_preview(
        services, actor, kind, stored.data, stored.filename, decisions_from_form(form), profile_to_save(form)
    )
    import_uploads.discard(services.settings.var_dir, kind, token)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def profile_to_save(form: FormData) -> str | None:
    """The profile name when the mapping step's 保存为导入方案 box is ticked."""
    return form_str(form, "profile") or None if form_str(form, "save_profile") == "1" else None


def commit(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    kind = _kind(request)
    services = request.app.state.services
    read_form(request)
    job_id = directory_import.submit_commit(services, actor, kind, request.path_params["token"])
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def errors_xlsx(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    kind = _kind(request)
    stored = import_uploads.load(
        request.app.state.services.settings.var_dir, actor, kind, request.path_params["token"]
    )
    return error_download(stored.report, stored.filename.rsplit(".", 1)[0])


routes = [
    route
    for slug in KINDS
    for route in (
        Route(f"/import/{slug}", upload, methods=["GET", "POST"], include_in_schema=False),
        Route(f"/import/{slug}/{{token:str}}", preview, include_in_schema=False),
        Route(f"/import/{slug}/{{token:str}}/map", remap, methods=["POST"], include_in_schema=False),
        Route(f"/import/{slug}/{{token:str}}/commit", commit, methods=["POST"], include_in_schema=False),
        Route(f"/import/{slug}/{{token:str}}/errors.xlsx", errors_xlsx, include_in_schema=False),
    )
]
