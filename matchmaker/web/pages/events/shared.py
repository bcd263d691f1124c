"""What every 对接会 page shares: who may open it, loading the event of the path, and the redirect after a write."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from matchmaker.services import events
from matchmaker.web.ids import parse_whole
from matchmaker.web.templating import render

ORGANIZERS = ("organizer", "admin")
PARTICIPANTS = ("researcher", "sme")


def render_page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(request, template, context, status_code=status)


def back(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


def int_or_none(text: str) -> int | None:
    return parse_whole(text)


def load_event(request: Request) -> events.Event:
    with request.app.state.services.session() as session:
        return events.get_event(session, request.path_params["event_id"])
