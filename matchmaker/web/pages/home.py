"""The landing page: what each role does next."""

from __future__ import annotations

from sqlmodel import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from matchmaker.storage.models import Company, Contract, Event, Institution, Need, Offer, User
from matchmaker.web.security import current_user
from matchmaker.web.templating import render


async def home(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    services = request.app.state.services
    with services.session() as session:
        counts = {
            "offers": session.exec(
                select(func.count()).select_from(Offer).where(Offer.status == "发布")
            ).one(),
            "needs": session.exec(select(func.count()).select_from(Need).where(Need.status == "开放")).one(),
            "institutions": session.exec(select(func.count()).select_from(Institution)).one(),
            "companies": session.exec(select(func.count()).select_from(Company)).one(),
            "events": session.exec(select(func.count()).select_from(Event)).one(),
            "contracts": session.exec(
                select(func.count()).select_from(Contract).where(Contract.voided == False)
            ).one(),
            "users": session.exec(select(func.count()).select_from(User)).one(),
        }
        institution = session.get(Institution, user.institution_id) if user.institution_id else None
        company = session.get(Company, user.company_id) if user.company_id else None
    return render(request, "home.html", {"counts": counts, "institution": institution, "company": company})


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


routes = [Route("/", home), Route("/healthz", healthz)]
