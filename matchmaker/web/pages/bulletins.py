"""定期通报 pages: the archive, a preview for a chosen period, issuing, the printable bulletin, .docx and charts."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.periods import KINDS
from matchmaker.services import bulletin_documents, bulletins
from matchmaker.services.permissions import allowed
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash, render

VIEW_ROLES = ("bureau", "organizer", "admin")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _context(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        "f": figures,
        "yuan": bulletin_documents.yuan_text,
        "turnover_titles": bulletin_documents.TURNOVER_TITLES,
        "pledge_titles": bulletin_documents.PLEDGE_TITLES,
    }


def bulletin_list(request: Request) -> Response:
    actor = require_actor(request, VIEW_ROLES)
    with request.app.state.services.session() as session:
        rows = bulletins.archive(session)
    today = date.today()
    return render(
        request,
        "bulletins/list.html",
        {
            "rows": rows,
            "kinds": KINDS,
            "can_issue": allowed(actor, "bulletin.issue"),
            "suggested": f"{today.year}-Q{(today.month - 1) // 3 + 1}",
            "errors": {},
        },
    )


def bulletin_preview(request: Request) -> Response:
    """The bulletin a period would get, computed now and not stored; 发布 freezes it."""
    actor = require_actor(request, VIEW_ROLES)
    period = request.query_params.get("period", "")
    try:
        with request.app.state.services.session() as session:
            draft = bulletins.preview(session, period)
    except ValidationFailed as exc:
        with request.app.state.services.session() as session:
            rows = bulletins.archive(session)
        return render(
            request,
            "bulletins/list.html",
            {"rows": rows, "kinds": KINDS, "can_issue": allowed(actor, "bulletin.issue"),
             "suggested": period, "errors": exc.by_field()},
            status_code=422,
        )  # fmt: skip
    return render(
        request,
        "bulletins/detail.html",
        {"title": draft.title, "b": None, "draft": draft, "can_issue": allowed(actor, "bulletin.issue"),
         **_context(draft.figures)},
    )  # fmt: skip


def bulletin_issue(request: Request) -> Response:
    actor = require_actor(request, ("bureau", "admin"))
    data = read_form(request)
    period = form_str(data, "period")
    try:
        with request.app.state.services.transaction() as session:
            bulletin = bulletins.issue(session, actor, period)
    except ValidationFailed as exc:
        flash(request, exc.message, "error")
        return RedirectResponse(f"/bulletins/preview?period={period}", status_code=303)
    flash(request, f"已发布《{bulletin.title}》，数字已冻结")
    return RedirectResponse(f"/bulletins/{bulletin.id}", status_code=303)


def bulletin_detail(request: Request) -> Response:
    require_actor(request, VIEW_ROLES)
    with request.app.state.services.session() as session:
        bulletin = bulletins.get_bulletin(session, request.path_params["bulletin_id"])
    return render(
        request,
        "bulletins/detail.html",
        {
            "title": bulletin.title,
            "b": bulletin,
            "draft": None,
            "can_issue": False,
            **_context(bulletin.figures),
        },
    )


def bulletin_docx(request: Request) -> Response:
    require_actor(request, VIEW_ROLES)
    with request.app.state.services.session() as session:
        bulletin = bulletins.get_bulletin(session, request.path_params["bulletin_id"])
    body = bulletin_documents.docx_bytes(bulletin.title, bulletin.figures, f"{bulletin.issued_at:%Y-%m-%d}")
    from urllib.parse import quote

    return Response(
        body,
        media_type=DOCX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(bulletin.title)}.docx"},
    )


def bulletin_chart(request: Request) -> Response:
    require_actor(request, VIEW_ROLES)
    with request.app.state.services.session() as session:
        bulletin = bulletins.get_bulletin(session, request.path_params["bulletin_id"])
    png = bulletin_documents.chart_png(bulletin.figures, request.path_params["name"])
    return Response(png, media_type="image/png")


routes = [
    Route("/bulletins", bulletin_list, include_in_schema=False),
    Route("/bulletins/preview", bulletin_preview, include_in_schema=False),
    Route("/bulletins/issue", bulletin_issue, methods=["POST"], include_in_schema=False),
    Route("/bulletins/{bulletin_id:int}", bulletin_detail, include_in_schema=False),
    Route("/bulletins/{bulletin_id:int}/bulletin.docx", bulletin_docx, include_in_schema=False),
    Route("/bulletins/{bulletin_id:int}/charts/{name:str}.png", bulletin_chart, include_in_schema=False),
]
