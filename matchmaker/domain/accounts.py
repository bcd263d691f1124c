"""Rules for account fields: user names, e-mail addresses and passwords."""

from __future__ import annotations

import re

from matchmaker.domain.errors import FieldError
from matchmaker.domain.vocab import ROLES

_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,29}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
MIN_PASSWORD_LENGTH = 8
#: Passwords found at the top of published leak lists (and local variants) that meet the length and letter+digit
#: rule anyway; compared case-insensitively. Guessers try these first, so they are refused outright.
COMMON_PASSWORDS = frozenset(
    """
    password1 password12 password123 password1234 passw0rd p@ssw0rd p@ssword1 pass1234 pass12345 pass123456
    abc12345 abc123456 abcd1234 abcd12345 abcde12345 a1234567 a12345678 a123456789 aa123456 aa12345678
    qq123456 qq12345678 q1w2e3r4 q1w2e3r4t5 1q2w3e4r 1q2w3e4r5t 1qaz2wsx 1qaz2wsx3edc qwer1234 qwert12345
    qwerty12 qwerty123 qwerty1234 asdf1234 asdfgh123 zxcv1234 zxcvbnm1 zxcvbnm123 1234qwer 12345qwe 123456abc
    123456aa 123456qq 12345678a 123456789a 123qwe123 123qweasd qweasd123 qweasdzxc1 abc123abc admin123
    admin1234 admin12345 admin888 admin@123 administrator1 root1234 test1234 test12345 user1234 iloveyou1
    iloveyou123 woaini1314 woaini520 5201314a a5201314 love1314 monkey123 dragon123 letmein1 welcome1
    welcome123 sunshine1 football1 baseball1 superman1 trustno1 master123 shadow123 michael1 liyang123
    liyang2026 liyang2025 changzhou1 jiangsu123 china123 china2026 demo1234
    """.split()  # noqa: SIM905 (a word list reads better than 88 quoted strings)
)


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
    if password.lower() in COMMON_PASSWORDS:
        return [FieldError(field, "这是最常见的密码之一，很容易被猜到，请换一个")]
    return []


def login_delay_seconds(failures: int, *, free: int, base: int = 2, cap: int = 900) -> int:
    """How long one name from one address must wait after ``failures`` recent failures: nothing for the first
    ``free``, then doubling from ``base`` up to ``cap``. A growing delay slows guessing without letting anyone
    lock an account out from elsewhere (the delay belongs to the name *and* the address)."""
    if failures < free:
        return 0
    return int(min(cap, base * 2 ** min(failures - free, 20)))
