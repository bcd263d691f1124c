"""Candidate pairs of an event: added by hand, from accepted meeting requests or from the matcher's proposals;
excluded, restored and marked with the organizer's preference."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.vocab import PREFERENCES
from matchmaker.services import event_picking, event_proposals, events
from matchmaker.web.exports import table_response
from matchmaker.web.ids import parse_id
from matchmaker.web.pages.events.shared import ORGANIZERS, back, int_or_none, load_event, render_page
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash


def pair_list(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    event = load_event(request)
    errors: dict[str, str] = {}
    form_values: dict[str, str] = {}
    if request.method == "POST":
        form = read_form(request)
        action = form_str(form, "action")
        form_values = {k: form_str(form, k) for k in ("offer_id", "need_id", "researcher_user_id")}
        try:
            with request.app.state.services.transaction() as session:
                message = _pair_action(session, actor, event.id or 0, action, form)
            flash(request, message)
            return back(f"/events/{event.id}/pairs")
        except ValidationFailed as exc:
            errors = exc.by_field()
    with request.app.state.services.session() as session:
        rows = events.pair_rows(session, event.id or 0)
        choices = events.pair_choices(session)
        offer_options = event_picking.offer_options(session)
        need_options = event_picking.need_options(session)
    if request.query_params.get("export") in ("xlsx", "csv"):
        return table_response(
            request.query_params["export"],
            f"{event.name}-候选配对",
            ["科研人员", "专利成果", "企业", "技术需求", "分数", "理由", "来源", "意愿", "已排除"],
            [
                (
                    r.researcher,
                    r.offer_title,
                    r.company,
                    r.need_title,
                    round(r.pair.score, 3),
                    r.reasons,
                    SOURCE_TEXT.get(r.pair.source, r.pair.source),
                    r.preference or "",
                    "是" if r.pair.excluded else "",
                )
                for r in rows
            ],
        )
    return render_page(
        request,
        "events/pairs.html",
        {
            "event": event,
            "rows": rows,
            "offers": offer_options,
            "needs": need_options,
            "researchers": choices.researchers,
            "preferences": PREFERENCES,
            "errors": errors,
            "form": form_values,
            "tab": "pairs",
            "sources": SOURCE_TEXT,
        },
        422 if errors else 200,
    )


SOURCE_TEXT = {"manual": "手选", "request": "会谈申请", "matcher": "匹配推荐"}


def _pair_action(session: Any, actor: Any, event_id: int, action: str, form: Any) -> str:
    pair_id = int_or_none(form_str(form, "pair_id")) or 0
    if action == "add":
        events.add_pair(
            session,
            actor,
            event_id,
            offer_id=int_or_none(form_str(form, "offer_id")),
            need_id=int_or_none(form_str(form, "need_id")),
            researcher_user_id=int_or_none(form_str(form, "researcher_user_id")),
        )
        return "已添加候选配对"
    if action == "import":
        added = events.import_accepted_requests(session, actor, event_id)
        return f"已导入 {added} 个已接受的会谈申请" if added else "没有新的已接受会谈申请可导入"
    if action in ("exclude", "include"):
        events.set_excluded(session, actor, event_id, pair_id, action == "exclude")
        return "已排除该配对" if action == "exclude" else "已恢复该配对"
    if action == "preference":
        events.set_preference(session, actor, event_id, pair_id, form_str(form, "preference") or None)
        return "已保存意愿"
    raise ValidationFailed([])


def proposals(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    event = load_event(request)
    services = request.app.state.services
    text = request.query_params.get("min_score", "0.5")
    try:
        min_score = min(max(float(text), 0.0), 1.0)
    except ValueError:
        min_score = 0.5
    if request.method == "POST":
        form = read_form(request)
        chosen = {v for v in form.getlist("pick") if isinstance(v, str)}
        found = event_proposals.propose(services, min_score=0.0, theme=event_proposals.theme_of(event))
        picked = [p for p in found if f"{p.offer_id}-{p.need_id}" in chosen]
        with services.transaction() as session:
            added = events.add_proposed_pairs(session, actor, event.id or 0, picked)
        flash(request, f"已添加 {added} 个推荐配对")
        return back(f"/events/{event.id}/pairs")
    found = event_proposals.propose(services, min_score=min_score, theme=event_proposals.theme_of(event))
    field = request.query_params.get("field", "")
    field = field if field in services.reference.fields else ""
    page_text = request.query_params.get("page", "1")
    with services.session() as session:
        present = {(r.pair.offer_id, r.pair.need_id) for r in events.pair_rows(session, event.id or 0)}
        shown = event_picking.proposal_page(session, found, field=field, page=parse_id(page_text) or 1)
    return render_page(
        request,
        "events/proposals.html",
        {
            "event": event,
            "method": event_proposals.MATCHER_METHOD,
            "found": shown.rows,
            "shown": shown,
            "field": field,
            "fields": services.reference.fields,
            "min_score": min_score,
            "present": present,
            "tab": "pairs",
        },
    )
