"""The notification list behind the bell in the navigation. Showing the list marks what it shows as read."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from matchmaker.services import notifications
from matchmaker.web.security import require_actor
from matchmaker.web.templating import render


def notification_list(request: Request) -> Response:
    actor = require_actor(request)
    assert actor.id is not None
    services = request.app.state.services
    with services.transaction() as session:
        items = notifications.latest(session, actor.id)
        unseen = {n.id for n in items if not n.is_read}
        notifications.mark_seen(session, actor.id, items)
    return render(request, "notifications.html", {"items": items, "unseen": unseen})


routes = [Route("/notifications", notification_list)]
