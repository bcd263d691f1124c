"""我的对接会: a participant's events, agenda once published, and their own preference on each pair."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from matchmaker.domain.vocab import PREFERENCES
from matchmaker.services import event_schedule, events
from matchmaker.web.pages.events.shared import PARTICIPANTS, back, int_or_none, render_page
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash


def my_events(request: Request) -> Response:
    actor = require_actor(request, PARTICIPANTS)
    services = request.app.state.services
    if request.method == "POST":
        form = read_form(request)
        event_id = int_or_none(form_str(form, "event_id")) or 0
        with services.transaction() as session:
            events.set_own_preference(
                session,
                actor,
                event_id,
                int_or_none(form_str(form, "pair_id")) or 0,
                form_str(form, "preference") or None,
            )
        flash(request, "已保存您的会谈意愿")
        return back("/my/events")
    with services.session() as session:
        cards = event_schedule.my_events(session, actor)
    return render_page(request, "events/mine.html", {"cards": cards, "preferences": PREFERENCES})
