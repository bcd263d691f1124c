"""The user's own account: password and API token for scripts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import ValidationFailed
from matchmaker.services import accounts
from matchmaker.web.security import read_form, require_actor, session_token
from matchmaker.web.templating import flash, render


def account(request: Request) -> Response:
    actor = require_actor(request)
    services = request.app.state.services
    new_token = ""
    if request.method == "POST":
        read_form(request)
        with services.transaction() as session:
            user = accounts.own_account(session, actor)
            new_token = accounts.issue_api_token(session, actor, user)
    with services.session() as session:
        user = accounts.own_account(session, actor)
        where = accounts.affiliation(session, user)
    return render(
        request,
        "account.html",
        {
            "new_token": new_token,
            "institution": where.institution,
            "company": where.company,
            "has_token": bool(user.api_token_hash),
        },
    )


def change_password(request: Request) -> Response:
    actor = require_actor(request)
    services = request.app.state.services
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = read_form(request)
        try:
            with services.transaction() as session:
                user = accounts.own_account(session, actor)
                accounts.change_own_password(
                    session,
                    user,
                    current=str(form.get("current_password") or ""),
                    new=str(form.get("new_password") or ""),
                    keep_session=session_token(request),
                )
            flash(request, "密码已修改，其他设备上的登录已退出")
            return RedirectResponse("/account", status_code=303)
        except ValidationFailed as exc:
            errors = exc.by_field()
    return render(request, "account_password.html", {"errors": errors}, status_code=422 if errors else 200)


routes = [
    Route("/account", account, methods=["GET", "POST"]),
    Route("/account/password", change_password, methods=["GET", "POST"]),
]
