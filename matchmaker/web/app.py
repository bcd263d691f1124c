"""The Starlette app factory."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from matchmaker.bootstrap import Services
from matchmaker.services import notifications
from matchmaker.web.errors import EXCEPTION_HANDLERS
from matchmaker.web.headers import SecurityHeaders
from matchmaker.web.pages import (
    account,
    admin,
    api,
    api_contracts,
    api_events,
    api_matches,
    api_needs,
    api_offers,
    api_pledges,
    auth,
    dashboard,
    home,
    jobs,
)
from matchmaker.web.pages import bank_sessions as bank_session_pages
from matchmaker.web.pages import bulletins as bulletin_pages
from matchmaker.web.pages import contracts as contract_pages
from matchmaker.web.pages import events as event_pages
from matchmaker.web.pages import imports as import_pages
from matchmaker.web.pages import licences as licence_pages
from matchmaker.web.pages import matches as match_pages
from matchmaker.web.pages import needs as need_pages
from matchmaker.web.pages import notifications as notification_pages
from matchmaker.web.pages import offers as offer_pages
from matchmaker.web.pages import pledges as pledge_pages
from matchmaker.web.pages import request_meetings as request_meeting_pages
from matchmaker.web.pages import requests as request_pages
from matchmaker.web.pages import search as search_pages
from matchmaker.web.templating import make_templates

#: Route lists of the page areas, in order. Feature areas append theirs here.
ROUTE_MODULES = [auth, home, account, notification_pages, admin, api, jobs]
ROUTE_MODULES += [need_pages, search_pages, request_pages, request_meeting_pages, api_needs]
ROUTE_MODULES += [offer_pages, api_offers]
ROUTE_MODULES += [contract_pages, dashboard, api_contracts]
ROUTE_MODULES += [event_pages, api_events]
ROUTE_MODULES += [match_pages, api_matches]
ROUTE_MODULES += [pledge_pages, api_pledges, licence_pages, bulletin_pages, bank_session_pages]
ROUTE_MODULES += [import_pages]


def _unread(services: Services, user: Any) -> int:
    with services.session() as session:
        return notifications.unread_count(session, user.id)


def create_app(services: Services) -> Starlette:
    settings = services.settings
    routes: list[BaseRoute] = [r for module in ROUTE_MODULES for r in module.routes]
    routes.append(Mount("/static", StaticFiles(directory=settings.static_dir), name="static"))
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders, https=settings.cookie_secure),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="mm_session",
                same_site="lax",
                # The cookie only carries the session token and CSRF secret; the server decides how long a
                # session lives (services/sessions.py), so the browser may drop the cookie when it closes.
                max_age=None,
                https_only=settings.cookie_secure,
            ),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
    )
    app.state.services = services
    app.state.templates = make_templates(str(settings.templates_dir))
    app.state.unread_counter = _unread
    match_pages.install(app)
    api.schemas.get_schema(routes)  # fail fast on a malformed docstring
    return app


def app_from_env() -> Starlette:
    """The app of one ``serve --workers N`` process: settings from the environment, match index loaded (or
    built) in the background. The database was migrated once by ``serve`` before the processes started."""
    from matchmaker.bootstrap import build
    from matchmaker.services import match_index
    from matchmaker.settings import Settings

    services = build(Settings.from_env())
    app = create_app(services)
    match_index.start(services)
    return app
