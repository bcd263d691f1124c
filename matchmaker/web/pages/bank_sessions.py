"""银企对接 pairs of a docking event: the organizer puts a bank or guarantor at a table with a company."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import ValidationFailed
from matchmaker.services import bank_sessions, events
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash, render

ROLES = ("organizer", "admin")


def bank_pairs(request: Request) -> Response:
    actor = require_actor(request, ROLES)
    services = request.app.state.services
    event_id = request.path_params["event_id"]
    errors: dict[str, str] = {}
    form: dict[str, str] = {}
    if request.method == "POST":
        data = read_form(request)
        form = {"bank": form_str(data, "bank"), "company_id": form_str(data, "company_id")}
        company = form["company_id"]
        try:
            with services.transaction() as session:
                bank_sessions.add_bank_pair(
                    session, actor, event_id, form["bank"], int(company) if company.isdigit() else None
                )
            flash(request, f"已添加银企对接：{form['bank']}；请在“排程”中重新生成会谈安排")
            return RedirectResponse(f"/events/{event_id}/bank-pairs", status_code=303)
        except ValidationFailed as exc:
            errors = exc.by_field()
    with services.session() as session:
        event = events.get_event(session, event_id)
        rows = [r for r in events.pair_rows(session, event_id) if r.pair.source == bank_sessions.SOURCE]
        banks = bank_sessions.banks(session)
        companies = bank_sessions.companies(session)
    return render(
        request,
        "events/bank_pairs.html",
        {
            "event": event,
            "rows": rows,
            "banks": banks,
            "companies": companies,
            "form": form,
            "errors": errors,
        },
        status_code=422 if errors else 200,
    )


routes = [
    Route("/events/{event_id:int}/bank-pairs", bank_pairs, methods=["GET", "POST"], include_in_schema=False)
]
