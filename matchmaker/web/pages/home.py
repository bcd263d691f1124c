"""The landing page: what each role does next."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from matchmaker.services import accounts, overview
from matchmaker.web.security import current_user
from matchmaker.web.templating import render


def home(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    services = request.app.state.services
    with services.session() as session:
        counts = overview.platform_counts(session)
        where = accounts.affiliation(session, user)
    return render(
        request, "home.html", {"counts": counts, "institution": where.institution, "company": where.company}
    )


def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


routes = [Route("/", home), Route("/healthz", healthz)]
