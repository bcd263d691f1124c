"""After the event: who came and what each meeting led to (意向 / 签约 / 无果)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from matchmaker.domain.errors import MatchmakerError, PermissionDenied, ValidationFailed
from matchmaker.domain.vocab import ATTENDANCE, MEETING_OUTCOMES
from matchmaker.services import event_schedule
from matchmaker.services.permissions import allowed
from matchmaker.web.ids import parse_id
from matchmaker.web.pages.events.shared import ORGANIZERS, back, load_event, render_page
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash


def outcomes(request: Request) -> Response:
    actor = require_actor(request, ORGANIZERS)
    event = load_event(request)
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        form = read_form(request)
        typed = {k: v for k, v in form.items() if isinstance(v, str)}
        ids = [n for v in form.getlist("meeting") if (n := parse_id(v)) is not None]
        entries = {
            mid: (
                form_str(form, f"attendance_{mid}"),
                form_str(form, f"outcome_{mid}"),
                form_str(form, f"note_{mid}"),
            )
            for mid in ids
        }
        try:
            with request.app.state.services.transaction() as session:
                changed = event_schedule.record_outcomes(session, actor, event.id or 0, entries)
            flash(request, f"已保存 {changed} 场会谈的到场与洽谈结果")
            return back(f"/events/{event.id}/outcomes")
        except ValidationFailed as exc:
            errors = exc.by_field()
        except MatchmakerError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            errors = {"": exc.message}
    with request.app.state.services.session() as session:
        items = event_schedule.entries(session, event)
    return render_page(
        request,
        "events/outcomes.html",
        {
            "event": event,
            "items": items,
            "errors": errors,
            "typed": typed,
            "attendance": ATTENDANCE,
            "outcomes": MEETING_OUTCOMES,
            "tab": "outcomes",
            "can_register_contract": allowed(actor, "contract.manage"),
        },
        422 if errors else 200,
    )
