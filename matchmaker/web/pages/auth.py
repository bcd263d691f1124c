"""Login and logout."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import ValidationFailed
from matchmaker.services import accounts
from matchmaker.web.security import client_address, current_user, form_str, read_form, sign_in, sign_out
from matchmaker.web.templating import flash, render


def _safe_next(target: str) -> str:
    """Only same-site paths, so the login page can't be used to bounce users elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def login(request: Request) -> Response:
    next_url = _safe_next(request.query_params.get("next", "/"))
    if request.method == "GET":
        if current_user(request) is not None:
            return RedirectResponse(next_url, status_code=303)
        return render(request, "login.html", {"form": {}, "errors": {}, "next": next_url})
    form = read_form(request)
    username, password = form_str(form, "username"), str(form.get("password") or "")
    next_url = _safe_next(form_str(form, "next") or "/")
    services = request.app.state.services
    client = client_address(request)
    try:
        with services.session() as session:
            user = accounts.authenticate(
                session, username, password, client=client, throttle=services.throttle
            )
    except ValidationFailed as exc:
        return render(
            request,
            "login.html",
            {"form": {"username": username}, "errors": exc.by_field(), "next": next_url},
            status_code=422,
        )
    except accounts.LoginThrottled as exc:
        return render(
            request,
            "login.html",
            {"form": {"username": username}, "errors": {"password": exc.message}, "next": next_url},
            status_code=429,
        )
    sign_in(request, user)
    if user.must_change_password:
        flash(request, "您的密码由管理员设置，请先修改密码")
        return RedirectResponse("/account/password", status_code=303)
    flash(request, f"欢迎，{user.display_name}")
    return RedirectResponse(next_url, status_code=303)


def logout(request: Request) -> Response:
    read_form(request)
    sign_out(request)
    return RedirectResponse("/login", status_code=303)


routes = [
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
]
