"""Turn any exception into a Chinese page or a JSON error list — never a traceback."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from matchmaker.domain.errors import MatchmakerError
from matchmaker.web.security import LoginRequired, PasswordChangeRequired
from matchmaker.web.templating import render

log = logging.getLogger("matchmaker.web")

HTTP_TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "没有权限",
    404: "页面不存在",
    405: "不支持的请求方式",
    409: "数据冲突",
    413: "上传内容过大",
    422: "输入有误",
    429: "请求过于频繁",
    500: "服务器内部错误",
}
HTTP_MESSAGES = {
    404: "您访问的页面不存在，或已被移除。",
    405: "此地址不支持该请求方式。",
    500: "服务器处理请求时出错，已记录日志。请稍后重试，或联系管理员。",
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _render(
    request: Request, status: int, message: str, errors: list[dict[str, str]] | None = None
) -> Response:
    if wants_json(request):
        return JSONResponse({"errors": errors or [{"field": "", "message": message}]}, status_code=status)
    template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/error.html"
    return render(
        request,
        template,
        {
            "status": status,
            "title": HTTP_TITLES.get(status, "出错了"),
            "message": message,
            "errors": errors or [],
        },
        status_code=status,
    )


def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MatchmakerError)
    if isinstance(exc, LoginRequired) and not wants_json(request):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if isinstance(exc, PasswordChangeRequired) and not wants_json(request):
        return RedirectResponse("/account/password", status_code=303)
    errors = [{"field": e.field, "message": e.message} for e in exc.field_errors()]
    return _render(request, exc.status, exc.message, errors)


def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = HTTP_MESSAGES.get(exc.status_code) or HTTP_TITLES.get(exc.status_code, "请求有误")
    return _render(request, exc.status_code, message)


def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _render(request, 500, HTTP_MESSAGES[500])


EXCEPTION_HANDLERS = {MatchmakerError: domain_error, HTTPException: http_error, Exception: server_error}
