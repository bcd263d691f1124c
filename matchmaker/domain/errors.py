"""Typed exceptions of the domain.

    MatchmakerError (400)
    ├── ValidationFailed (422)  one or more FieldError
    ├── PermissionDenied (403)
    ├── NotFound (404)
    └── Conflict (409)

Web (``web/errors.py``) and CLI (``cli.py``) turn them into one Chinese sentence or a JSON error list;
callers catch the family by the base class.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; ``message`` is a Chinese sentence naming the field."""

    field: str
    message: str


class MatchmakerError(Exception):
    status: int = 400
    title: str = "请求有误"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.title)
        self.message = message or self.title

    def field_errors(self) -> list[FieldError]:
        return [FieldError(field="", message=self.message)]


class ValidationFailed(MatchmakerError):
    status = 422
    title = "输入有误"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("；".join(e.message for e in self.errors) or self.title)

    def field_errors(self) -> list[FieldError]:
        return list(self.errors)

    def by_field(self) -> dict[str, str]:
        """First message per field, for forms that show errors beside their fields."""
        out: dict[str, str] = {}
        for e in self.errors:
            out.setdefault(e.field, e.message)
        return out


def invalid(field: str, message: str) -> ValidationFailed:
    """Shorthand for a single-field validation failure."""
    return ValidationFailed([FieldError(field, message)])


class PermissionDenied(MatchmakerError):
    status = 403
    title = "没有权限"


class NotFound(MatchmakerError):
    status = 404
    title = "未找到"


class Conflict(MatchmakerError):
    status = 409
    title = "数据冲突"
