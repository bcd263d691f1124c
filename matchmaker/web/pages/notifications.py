"""The notification list behind the bell in the navigation."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.services import notifications
from matchmaker.web.security import read_form, require_actor
from matchmaker.web.templating import render


async def notification_list(request: Request) -> Response:
    actor = require_actor(request)
    assert actor.id is not None
    services = request.app.state.services
    if request.method == "POST":
        await read_form(request)
        with services.transaction() as session:
            notifications.mark_all_read(session, actor.id)
        return RedirectResponse("/notifications", status_code=303)
    with services.session() as session:
        items = notifications.latest(session, actor.id)
    return render(request, "notifications.html", {"items": items})


routes = [Route("/notifications", notification_list, methods=["GET", "POST"])]
