"""Bulk imports of technology needs (企业技术需求征集表) and of a company directory, for the bureau and admins,
and the mapping step and error download shared with the offer and contract imports."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import FieldError, MatchmakerError, NotFound, ValidationFailed
from matchmaker.services import directory_import, import_profiles, import_uploads
from matchmaker.services.import_profiles import Decisions
from matchmaker.services.permissions import Actor
from matchmaker.web.exports import table_response
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash, render

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
    """GET: the upload form. POST: preview the file (nothing written) and show it under a random id."""
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
        report = directory_import.preview(services, actor, kind, data, file.filename)
    except MatchmakerError as exc:
        message = exc.field_errors()[0].message if isinstance(exc, ValidationFailed) else exc.message
        return _page(request, kind, {"errors": {"file": message}}, status_code=422)
    token = import_uploads.save(services.settings.var_dir, actor, kind, file.filename, data, report)
    return RedirectResponse(f"/import/{_slug(request)}/{token}", status_code=303)


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
    """The mapping step: preview again with the chosen columns and answers; save them as a profile if asked."""
    actor = require_actor(request, ROLES)
    kind = _kind(request)
    services = request.app.state.services
    slug, token = _slug(request), request.path_params["token"]
    stored = import_uploads.load(services.settings.var_dir, actor, kind, token)
    form = read_form(request)
    decisions = decisions_from_form(form)
    try:
        report = directory_import.preview(
            services, actor, kind, stored.data, stored.filename, decisions=decisions
        )
        saved = remember(services, actor, kind, report, decisions, form)
    except MatchmakerError as exc:
        flash(request, exc.message, "error")
        return RedirectResponse(f"/import/{slug}/{token}", status_code=303)
    import_uploads.discard(services.settings.var_dir, kind, token)
    new = import_uploads.save(
        services.settings.var_dir, actor, kind, stored.filename, stored.data, report, decisions
    )
    if saved:
        flash(request, f"已保存导入方案「{saved}」，下次同一来源的文件会自动按此对应")
    return RedirectResponse(f"/import/{slug}/{new}", status_code=303)


def remember(
    services: Any, actor: Actor, kind: str, report: Any, decisions: Decisions, form: FormData
) -> str | None:
    """Save the confirmed mapping as the named import profile when the box is ticked and nothing is missing."""
    name = form_str(form, "profile")
    if form_str(form, "save_profile") != "1" or report.needs_mapping:
        return None
    with services.transaction() as session:
        import_profiles.save_profile(
            session,
            actor,
            kind,
            name,
            Decisions(dict(report.mapping), decisions.answers),
            institution_id=actor.institution_id,
        )
    return " ".join(name.split())


def commit(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    kind = _kind(request)
    services = request.app.state.services
    token = request.path_params["token"]
    read_form(request)
    stored = import_uploads.load(services.settings.var_dir, actor, kind, token)
    try:
        report = directory_import.preview(
            services, actor, kind, stored.data, stored.filename, decisions=stored.decisions or None
        )
        committed = directory_import.commit(services, actor, report)
    except MatchmakerError as exc:
        flash(request, f"导入未完成，没有写入任何数据：{exc.message}", "error")
        return RedirectResponse(f"/import/{_slug(request)}/{token}", status_code=303)
    import_uploads.discard(services.settings.var_dir, kind, token)
    noun = "条技术需求" if kind == "need" else "家企业"
    flash(request, f"已从 {stored.filename} 导入 {committed} {noun}")
    return RedirectResponse("/needs" if kind == "need" else f"/import/{_slug(request)}", status_code=303)


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
