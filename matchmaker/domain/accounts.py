"""Rules for account fields: user names, e-mail addresses and passwords."""

from __future__ import annotations

import re

from matchmaker.domain.errors import FieldError
from matchmaker.domain.vocab import ROLES

_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,29}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
MIN_PASSWORD_LENGTH = 8


def account_problems(
    *, username: str, display_name: str, email: str, role: str, password: str | None
) -> list[FieldError]:
    """Every problem at once, so a form can show each beside its field."""
    errors: list[FieldError] = []
    if not _USERNAME.match(username):
        errors.append(
            FieldError("username", "用户名须以字母开头，由 3–30 位字母、数字、下划线、点或连字符组成")
        )
    if not display_name.strip():
        errors.append(FieldError("display_name", "请填写姓名"))
    elif len(display_name) > 50:
        errors.append(FieldError("display_name", "姓名不能超过 50 个字"))
    if email and not _EMAIL.match(email):
        errors.append(FieldError("email", f"邮箱格式不正确：{email}"))
    if role not in ROLES:
        errors.append(FieldError("role", "请选择有效的角色"))
    if password is not None:
        errors.extend(password_problems(password))
    return errors


def password_problems(password: str, field: str = "password") -> list[FieldError]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [FieldError(field, f"密码至少需要 {MIN_PASSWORD_LENGTH} 位")]
    if len(password) > 128:
        return [FieldError(field, "密码不能超过 128 位")]
    if password.isdigit() or password.isalpha():
        return [FieldError(field, "密码须同时包含字母和数字（或符号）")]
    return []
