"""Admin pages: accounts, institutions and their aliases, and the audit trail."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.local_time import local_time
from matchmaker.domain.vocab import ROLE_LABELS, ROLES
from matchmaker.services import accounts, audit_log, companies, institutions, sessions
from matchmaker.web import paging
from matchmaker.web.exports import table_response
from matchmaker.web.ids import parse_id
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash, render


def _optional_int(text: str) -> int | None:
    return parse_id(text)


def _choices(session: Any) -> dict[str, Any]:
    return {
        "institutions": institutions.all_institutions(session),
        "companies": companies.all_companies(session),
        "roles": [(r, ROLE_LABELS[r]) for r in ROLES],
    }


def user_list(request: Request) -> Response:
    require_actor(request, ("admin",))
    services = request.app.state.services
    role = request.query_params.get("role", "")
    q = request.query_params.get("q", "").strip()
    with services.session() as session:
        users = accounts.list_users(session, role=role if role in ROLES else "", q=q)
        names = {i.id: i.canonical_name for i in institutions.all_institutions(session)}
        company_names = companies.names_by_id(session)
    fmt = request.query_params.get("export")
    if fmt in ("xlsx", "csv"):
        rows = [
            (
                u.username,
                u.display_name,
                ROLE_LABELS.get(u.role, u.role),
                names.get(u.institution_id, "") or company_names.get(u.company_id or 0, ""),
                u.email,
                "启用" if u.is_active else "停用",
            )
            for u in users
        ]
        return table_response(fmt, "账号列表", ["用户名", "姓名", "角色", "单位/企业", "邮箱", "状态"], rows)
    return render(
        request,
        "admin/users.html",
        {
            "users": users,
            "names": names,
            "companies": company_names,
            "role": role,
            "q": q,
            "roles": [(r, ROLE_LABELS[r]) for r in ROLES],
        },
    )


def user_new(request: Request) -> Response:
    actor = require_actor(request, ("admin",))
    services = request.app.state.services
    form_values: dict[str, str] = {"role": "researcher"}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = read_form(request)
        form_values = {
            k: form_str(form, k)
            for k in ("username", "display_name", "email", "role", "institution_id", "company_id")
        }
        try:
            with services.transaction() as session:
                user = accounts.create_user(
                    session,
                    actor,
                    username=form_values["username"],
                    display_name=form_values["display_name"],
                    email=form_values["email"],
                    role=form_values["role"],
                    password=str(form.get("password") or ""),
                    institution_id=_optional_int(form_values["institution_id"]),
                    company_id=_optional_int(form_values["company_id"]),
                )
            flash(request, f"已创建账号 {user.username}")
            return RedirectResponse("/admin/users", status_code=303)
        except ValidationFailed as exc:
            errors = exc.by_field()
    with services.session() as session:
        context = _choices(session)
    return render(
        request,
        "admin/user_form.html",
        {"form": form_values, "errors": errors, "editing": None, **context},
        status_code=422 if errors else 200,
    )


def user_edit(request: Request) -> Response:
    actor = require_actor(request, ("admin",))
    services = request.app.state.services
    user_id = request.path_params["user_id"]
    with services.session() as session:
        user = accounts.get_user(session, user_id)
        context = _choices(session)
    form_values = {
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role,
        "institution_id": str(user.institution_id or ""),
        "company_id": str(user.company_id or ""),
        "is_active": "1" if user.is_active else "",
        "version": str(user.version),
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = read_form(request)
        form_values = {
            k: form_str(form, k)
            for k in ("display_name", "email", "role", "institution_id", "company_id", "is_active", "version")
        }
        try:
            with services.transaction() as session:
                accounts.update_user(
                    session,
                    actor,
                    user_id,
                    display_name=form_values["display_name"],
                    email=form_values["email"],
                    role=form_values["role"],
                    is_active=form_values["is_active"] == "1",
                    institution_id=_optional_int(form_values["institution_id"]),
                    company_id=_optional_int(form_values["company_id"]),
                    new_password=str(form.get("new_password") or ""),
                    version=parse_id(form_values["version"]),
                )
            flash(request, f"已保存账号 {user.username}")
            return RedirectResponse("/admin/users", status_code=303)
        except ValidationFailed as exc:
            errors = exc.by_field()
    return render(
        request,
        "admin/user_form.html",
        {"form": form_values, "errors": errors, "editing": user, **context},
        status_code=422 if errors else 200,
    )


def user_sign_out(request: Request) -> Response:
    """全部下线 ends every session of the account (for a lost laptop or a leaver)."""
    actor = require_actor(request, ("admin",))
    read_form(request)
    with request.app.state.services.transaction() as session:
        ended = sessions.sign_out_everywhere(session, actor, request.path_params["user_id"])
    flash(request, f"已让该账号在所有设备上退出登录（{ended} 个会话）")
    return RedirectResponse(f"/admin/users/{request.path_params['user_id']}", status_code=303)


def institution_list(request: Request) -> Response:
    actor = require_actor(request, ("admin",))
    services = request.app.state.services
    errors: dict[str, str] = {}
    form_values: dict[str, str] = {}
    if request.method == "POST":
        form = read_form(request)
        action = form_str(form, "action")
        form_values = {
            k: form_str(form, k)
            for k in ("canonical_name", "short_name", "kind", "alias", "institution_id", "alias_id")
        }
        try:
            with services.transaction() as session:
                if action == "create":
                    inst = institutions.create_institution(
                        session,
                        actor,
                        canonical_name=form_values["canonical_name"],
                        short_name=form_values["short_name"],
                        kind=form_values["kind"],
                    )
                    flash(request, f"已添加单位 {inst.canonical_name}")
                elif action == "add_alias":
                    institutions.add_alias(
                        session,
                        actor,
                        _optional_int(form_values["institution_id"]) or 0,
                        form_values["alias"],
                    )
                    flash(request, f"已添加别名 {form_values['alias']}")
                elif action == "remove_alias":
                    institutions.remove_alias(session, actor, _optional_int(form_values["alias_id"]) or 0)
                    flash(request, "已删除别名")
            return RedirectResponse("/admin/institutions", status_code=303)
        except ValidationFailed as exc:
            errors = exc.by_field()
    probe = request.query_params.get("probe", "").strip()
    with services.session() as session:
        rows = institutions.all_institutions(session)
        aliases = institutions.aliases_by_institution(session)
        resolution = institutions.normalizer(session).resolve(probe) if probe else None
    return render(
        request,
        "admin/institutions.html",
        {
            "institutions": rows,
            "aliases": aliases,
            "errors": errors,
            "form": form_values,
            "probe": probe,
            "resolution": resolution,
        },
        status_code=422 if errors else 200,
    )


def audit_list(request: Request) -> Response:
    require_actor(request, ("admin", "bureau"))
    services = request.app.state.services
    errors: dict[str, str] = {}
    try:
        filters = audit_log.parse_filters(request.query_params)
    except ValidationFailed as exc:
        errors, filters = exc.by_field(), audit_log.AuditFilters()
    fmt = request.query_params.get("export")
    with services.session() as session:
        if fmt in ("xlsx", "csv") and not errors:
            everything, _ = audit_log.entries(session, filters, size=None)
            rows = [
                (local_time(e.at), e.operator, e.record, e.record_id, e.action, e.field, e.old, e.new, e.note)
                for e in everything
            ]
            return table_response(
                fmt,
                "操作日志",
                ["时间", "操作人", "对象", "编号", "操作", "字段", "原值", "新值", "备注"],
                rows,
            )
        page, size = paging.requested(request, audit_log.PAGE_SIZE)
        shown, total = audit_log.entries(session, filters, page=page, size=size)
        choices = audit_log.choices(session)
    query = urlencode([(k, v) for k, v in request.query_params.items() if k not in ("page", "export")])
    return render(
        request,
        "admin/audit.html",
        {
            "entries": shown,
            "pager": paging.from_request(request, total, audit_log.PAGE_SIZE),
            "choices": choices,
            "form": request.query_params,
            "errors": errors,
            "base": "/admin/audit?" + query,
        },
        status_code=422 if errors else 200,
    )


routes = [
    Route("/admin/users", user_list),
    Route("/admin/users/new", user_new, methods=["GET", "POST"]),
    Route("/admin/users/{user_id:int}", user_edit, methods=["GET", "POST"]),
    Route("/admin/users/{user_id:int}/sign-out", user_sign_out, methods=["POST"]),
    Route("/admin/institutions", institution_list, methods=["GET", "POST"]),
    Route("/admin/audit", audit_list),
]
