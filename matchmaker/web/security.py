"""Who is asking (session cookie or API token), CSRF tokens, and reading request bodies safely.

Every form is read through :func:`read_form` and every JSON body through :func:`read_json`, which is where the
CSRF check lives: a write that skips them cannot read its input at all. Both are plain functions for plain
handlers (see :mod:`matchmaker.web`): they hop onto the event loop only to receive the body.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import secrets
from decimal import Decimal
from typing import Any

import anyio.from_thread
from starlette.datastructures import FormData
from starlette.requests import Request

from matchmaker.domain.errors import FieldError, MatchmakerError, PermissionDenied, ValidationFailed
from matchmaker.services import accounts, sessions
from matchmaker.services.permissions import Actor
from matchmaker.web.ids import parse_whole

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class LoginRequired(MatchmakerError):
    status = 401
    title = "请先登录"


class PasswordChangeRequired(MatchmakerError):
    """The account's password was set by an admin: nothing else is open until the user chooses their own."""

    status = 403
    title = "请先修改密码"


#: The pages open to a user who must change their password first.
PASSWORD_CHANGE_PATHS = ("/account/password", "/logout")
SESSION_KEY = "sid"


def sign_in(request: Request, user: accounts.User) -> None:
    """A fresh cookie session (no fixation) bound to a new server-side session of ``user``."""
    with request.app.state.services.transaction() as session:
        token = sessions.start(session, user)
    request.session.clear()
    request.session[SESSION_KEY] = token
    request.state.user = user


def sign_out(request: Request) -> None:
    token = request.session.get(SESSION_KEY)
    if isinstance(token, str):
        with request.app.state.services.transaction() as session:
            sessions.end(session, token)
    request.session.clear()


def session_token(request: Request) -> str | None:
    token = request.session.get(SESSION_KEY)
    return token if isinstance(token, str) else None


def _is_trusted(address: str, trusted: tuple[str, ...]) -> bool:
    for entry in trusted:
        if address == entry:
            return True
        try:
            if ipaddress.ip_address(address) in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(request: Request) -> str:
    """The address the request came from. ``X-Forwarded-For`` is believed only when the connection comes from a
    configured proxy (``MATCHMAKER_TRUSTED_PROXIES``), and then read from the right: the first address that is
    not itself a trusted proxy is the client (anything further left could be written by the client)."""
    peer = request.client.host if request.client else ""
    trusted = request.app.state.services.settings.trusted_proxies
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def _csrf_ok(request: Request, supplied: str | None) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and supplied and hmac.compare_digest(str(expected), str(supplied)))


def current_user(request: Request) -> accounts.User | None:
    """The user of this request, loaded once. A Bearer token wins over the session cookie."""
    if "user" in request.scope.get("state", {}):
        return request.state.user  # type: ignore[no-any-return]
    user: accounts.User | None = None
    services = request.app.state.services
    auth = request.headers.get("authorization", "")
    with services.session() as session:
        if auth.lower().startswith("bearer "):
            user = accounts.user_for_token(session, auth[7:].strip())
            request.state.via_token = user is not None
        else:
            token = session_token(request)
            if token is not None:
                user = sessions.user_for(session, token, services.session_lifetime)
                if user is None:
                    request.session.clear()
    request.state.user = user
    return user


def current_actor(request: Request) -> Actor | None:
    user = current_user(request)
    return accounts.actor_for(user) if user is not None else None


def require_actor(request: Request, roles: tuple[str, ...] | None = None) -> Actor:
    user = current_user(request)
    if user is None:
        raise LoginRequired("请先登录")
    if user.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired("您的密码由管理员设置，请先修改为只有您知道的密码")
    actor = accounts.actor_for(user)
    if roles is not None and actor.role not in roles and not actor.is_admin:
        raise PermissionDenied("您的角色无权访问此页面")
    return actor


def read_form(request: Request, *, max_files: int = 0) -> FormData:
    """Parse a form and check its CSRF token. Malformed bodies become a 400 with a Chinese message."""
    max_bytes = request.app.state.services.settings.max_upload_bytes
    length = request.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and int(length) > max_bytes + 64 * 1024:
        raise ValidationFailed(
            [FieldError("file", f"上传内容过大，不能超过 {max_bytes // (1024 * 1024)} MB")]
        )
    try:

        async def receive() -> FormData:
            return await request.form(max_files=max_files, max_fields=500, max_part_size=max_bytes)

        form = anyio.from_thread.run(receive)
    except Exception as exc:  # multipart/urlencoded parse errors of any kind
        raise MatchmakerError("表单内容无法解析，请刷新页面后重试") from exc
    if not getattr(request.state, "via_token", False):
        supplied = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
        if not _csrf_ok(request, supplied if isinstance(supplied, str) else None):
            raise PermissionDenied("页面已过期或来源不明（CSRF 校验失败），请刷新页面后重试")
    return form


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")  # NaN and Infinity are not JSON


def read_json(request: Request) -> dict[str, Any]:
    """Parse a JSON object body (at most ``max_json_bytes``, else 413). Session-authenticated writes must carry
    the X-CSRF-Token header."""
    if not getattr(request.state, "via_token", False) and not _csrf_ok(
        request, request.headers.get(CSRF_HEADER)
    ):
        raise PermissionDenied("缺少有效的 X-CSRF-Token 请求头（或使用 API 令牌）")
    try:
        # Numbers with a fraction arrive as Decimal, never float: an amount sent as 12345678901234567.89
        # keeps every fen (or is refused by its field's rule), it is not rounded on the way in.
        data = json.loads(
            anyio.from_thread.run(_json_body, request) or b"{}",
            parse_float=Decimal,
            parse_constant=_no_constant,
        )
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed([FieldError("", "请求体不是有效的 JSON")]) from exc
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError("", "请求体必须是 JSON 对象")])
    return data


class BodyTooLarge(MatchmakerError):
    status = 413
    title = "上传内容过大"


async def _json_body(request: Request) -> bytes:
    """The body, refused as soon as it passes the cap (a missing or false Content-Length is no way round it)."""
    limit = request.app.state.services.settings.max_json_bytes
    too_large = BodyTooLarge(f"请求体过大，不能超过 {limit // 1024} KB")
    length = request.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and int(length) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def json_text(value: Any) -> str:
    """A JSON value as a form would carry it, for fields parsed from text (amounts, dates): numbers exactly as
    written (fractions arrive as Decimal, see :func:`read_json`), anything else in its JSON spelling."""
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def form_str(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def query_int(request: Request, name: str, default: int, *, minimum: int = 1, maximum: int = 10_000) -> int:
    """Query parameters from links users can edit: junk falls back to the default rather than erroring."""
    number = parse_whole(request.query_params.get(name, ""))
    if number is None:
        return default
    return max(minimum, min(maximum, number))
