"""Match suggestions on the need, offer and "我的需求" pages; organizers' 好匹配 / 不相关 marks; the 匹配评价 page.

The need, offer and "我的需求" handlers call :func:`need_matches` / :func:`offer_matches` and pass the result to
``matches/_list.html``; templates never run the matcher. Every need shown goes through
``services.needs.visible_need`` (inside ``services.matching``).
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import NotFound, ValidationFailed
from matchmaker.domain.local_time import local_time
from matchmaker.services import judgements, match_index, matching, needs, offers
from matchmaker.services.permissions import Actor, allowed
from matchmaker.web.exports import table_response
from matchmaker.web.ids import parse_id
from matchmaker.web.security import form_str, query_int, read_form, require_actor
from matchmaker.web.templating import flash, render

#: Suggestions on a need's or an offer's page, and per need on "我的需求".
ON_DETAIL_PAGE = 10
ON_MY_NEEDS = 3
JUDGE_ROLES = ("organizer",)


def _panel_context(
    services: Any,
    actor: Actor,
    result: matching.MatchList,
    *,
    direction: str,
    back: str,
    need: needs.NeedView | None = None,
) -> dict[str, Any]:
    """What ``matches/_list.html`` reads: the suggestions, who may mark them, and the marks already made."""
    can_judge = allowed(actor, "judgement.create")
    marks: dict[tuple[int, int], str] = {}
    if can_judge and result.items:
        with services.session() as session:
            marks = judgements.organizer_marks(session, [(s.need_id, s.offer_id) for s in result.items])
    may_request = need is not None and actor.role == "sme" and need.can_edit
    return {
        "result": result,
        "direction": direction,
        "can_judge": can_judge,
        "marks": marks,
        "back": back,
        "may_request": may_request,
        "labels": list(judgements.ORGANIZER_LABELS),
    }


def need_matches(
    services: Any, actor: Actor, view: needs.NeedView, k: int = ON_DETAIL_PAGE
) -> dict[str, Any]:
    """What the need page (``k`` = 10) and 我的需求 (3 per need) show: offers that could solve the need."""
    result = matching.offers_for_need(services, actor, view, k)
    back = f"/needs/{view.id}#matches" if k == ON_DETAIL_PAGE else "/my/needs"
    return _panel_context(services, actor, result, direction="offers", back=back, need=view)


def offer_matches(services: Any, actor: Actor, offer: offers.Offer) -> dict[str, Any] | None:
    """What the offer page shows of the needs it could serve; ``None`` for those who may not see them."""
    if not matching.may_see_offer_needs(actor, offer):
        return None
    result = matching.needs_for_offer(services, actor, offer, ON_DETAIL_PAGE)
    return _panel_context(services, actor, result, direction="needs", back=f"/offers/{offer.id}#matches")


def install(app: Starlette) -> None:
    """Start keeping the match index current: registers the offer and need change listeners."""
    match_index.state(app.state.services)


def _safe_back(text: str) -> str:
    """Only a path on this site (no scheme, no //host) may be a redirect target."""
    return text if text.startswith("/") and not text.startswith("//") else "/"


def judge(request: Request) -> Response:
    """An organizer marks a suggested pair 好匹配 or 不相关 (the form on each suggestion)."""
    actor = require_actor(request)
    form = read_form(request)
    back = _safe_back(form_str(form, "back"))
    need_id, offer_id = form_str(form, "need_id"), form_str(form, "offer_id")
    label = form_str(form, "label")
    need_number, offer_number = parse_id(need_id), parse_id(offer_id)
    if need_number is None or offer_number is None:
        raise NotFound("要评价的配对不存在")
    try:
        with request.app.state.services.transaction() as session:
            judgements.mark(session, actor, need_number, offer_number, label, form_str(form, "note"))
        flash(request, f"已将该配对标记为「{label}」")
    except ValidationFailed as exc:
        flash(request, exc.message, "error")
    return RedirectResponse(back, status_code=303)


def judgement_list(request: Request) -> Response:
    """匹配评价: every judgement (organizers' marks, meeting outcomes, answered requests), filterable, exportable."""
    require_actor(request, JUDGE_ROLES)
    params = request.query_params
    filters = judgements.JudgementFilters(
        label=params.get("label", ""), source=params.get("source", ""), q=params.get("q", "").strip()
    )
    fmt = params.get("export")
    with request.app.state.services.session() as session:
        if fmt in ("xlsx", "csv"):
            rows = judgements.list_judgements(session, filters, per_page=None).rows
            return table_response(
                fmt,
                "匹配评价",
                judgements.EXPORT_HEADERS,
                [
                    (
                        r.id,
                        local_time(r.at),
                        r.need_id,
                        r.need_title,
                        r.offer_id,
                        r.offer_title,
                        r.label,
                        r.grade,
                        r.source_text,
                        r.username,
                        r.note,
                    )
                    for r in rows
                ],
            )
        result = judgements.list_judgements(session, filters, page=query_int(request, "page", 1))
        labels = judgements.labels_in_use(session)
    base = f"/matches/judgements?label={filters.label}&source={filters.source}&q={filters.q}"
    return render(
        request,
        "matches/judgements.html",
        {
            "result": result,
            "filters": filters,
            "labels": labels,
            "sources": judgements.SOURCE_LABELS,
            "base": base,
        },
    )


routes = [
    Route("/matches/judge", judge, methods=["POST"], include_in_schema=False),
    Route("/matches/judgements", judgement_list, include_in_schema=False),
]
