"""Jinja2 setup: every page gets the user, the role's navigation, the CSRF field and flash messages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from matchmaker.domain.local_time import local_time
from matchmaker.domain.vocab import ROLE_LABELS
from matchmaker.matching.wording import reason_text, reason_tone
from matchmaker.web.nav import nav_for, nav_groups, section
from matchmaker.web.security import CSRF_FIELD, csrf_token, current_user


def flash(request: Request, message: str, kind: str = "success") -> None:
    """A one-time notice (提示) shown on the next page."""
    request.session.setdefault("flash", []).append([kind, message])


def _page_context(request: Request) -> dict[str, Any]:
    user = current_user(request)
    messages = request.session.pop("flash", []) if "session" in request.scope else []
    unread = 0
    counter = request.app.state.unread_counter
    if user is not None and counter is not None:
        unread = counter(request.app.state.services, user)
    return {
        "user": user,
        "role_label": ROLE_LABELS.get(user.role, "") if user else "",
        "nav": nav_for(user.role if user else None),
        "nav_groups": nav_groups(user.role if user else None),
        "section": section(user.role if user else None, request.url.path),
        "current_path": request.url.path,
        "flashes": messages,
        "unread_count": unread,
        "csrf_token": csrf_token(request) if "session" in request.scope else "",
    }


def _csrf_input(token: str) -> Markup:
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">')


def _yuan(value: Any) -> str:
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    return f"{amount:,.2f}"


def _wan(value: Any, upper: Any = None) -> str:
    """An asking price or budget in 万元; with ``upper``, a range (「20–30 万元」)."""
    if value is None:
        return "面议"
    return f"{value}–{upper} 万元" if upper is not None and upper != value else f"{value} 万元"


def _local_time(value: datetime | None) -> str:
    """Stored times are UTC; people in Liyang read Beijing time."""
    if value is None:
        return "—"
    local = local_time(value)
    assert local is not None
    return local.strftime("%Y-%m-%d %H:%M")


def make_templates(directory: str) -> Jinja2Templates:
    templates = Jinja2Templates(directory=directory, context_processors=[_page_context])
    env = templates.env
    env.globals["csrf_input"] = _csrf_input
    env.globals["ROLE_LABELS"] = ROLE_LABELS
    env.filters["yuan"] = _yuan
    env.filters["wan"] = _wan
    env.filters["reason_text"] = reason_text
    env.filters["reason_tone"] = reason_tone
    # dates never wrap mid-value in a narrow column (2025-10-/30)
    env.filters["dt"] = lambda v: Markup('<span class="nowrap">%s</span>') % _local_time(v)
    env.filters["d"] = lambda v: (
        Markup('<span class="nowrap">%s</span>') % (v.strftime("%Y-%m-%d") if v else "—")
    )
    return templates


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """A page from its template, through the app's one ``Jinja2Templates`` (and its page context)."""
    templates: Jinja2Templates = request.app.state.templates
    errors = (context or {}).get("errors")
    if status_code == 422 and isinstance(errors, dict) and "version_current" in errors:
        status_code = 409  # a form refused because someone saved the record meanwhile (services/versions.py)
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code)
