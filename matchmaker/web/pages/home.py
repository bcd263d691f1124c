"""The landing page: the user's workbench (待办) — what waits for them, each a link — and the figures their role
watches; the platform totals below."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from matchmaker.services import accounts, overview, request_meetings, workbench
from matchmaker.services.health import health
from matchmaker.web.security import current_user
from matchmaker.web.templating import render


def home(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    services = request.app.state.services
    actor = accounts.actor_for(user)
    with services.transaction() as session:
        # reminders of tomorrow's agreed meetings go out when anyone opens their workbench (once per meeting)
        request_meetings.send_due_reminders(session)
    with services.session() as session:
        counts = overview.platform_counts(session)
        where = accounts.affiliation(session, user)
        bench = workbench.workbench(session, actor)
    return render(
        request,
        "home.html",
        {"counts": counts, "institution": where.institution, "company": where.company, "bench": bench},
    )


def healthz(request: Request) -> Response:
    """Database reachable, job backlog, oldest waiting job, index currency; 503 when the database is not."""
    ok, report = health(request.app.state.services)
    return JSONResponse(report, status_code=200 if ok else 503)


routes = [Route("/", home), Route("/healthz", healthz)]
