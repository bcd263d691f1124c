"""Login throttling: a growing delay per user name and address, never a lock others can trigger; unknown names
cost the same work as known ones; the most common passwords are refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from matchmaker.domain.accounts import login_delay_seconds, password_problems
from matchmaker.domain.errors import ValidationFailed
from matchmaker.services import accounts
from matchmaker.storage.models import User, utcnow

THROTTLE = accounts.Throttle(max_failures=5, window=timedelta(hours=1), max_client_failures=20)
ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


def _user(session: Any, name: str = "admin_t") -> User:
    user = User(
        username=name,
        display_name="管理员",
        role="admin",
        password_hash=accounts.hash_password("right-pass-1"),
    )
    session.add(user)
    session.commit()
    return user


def test_the_delay_is_free_at_first_then_doubles_up_to_a_cap() -> None:
    assert [login_delay_seconds(n, free=5) for n in (0, 4, 5, 6, 7, 12, 40)] == [0, 0, 2, 4, 8, 256, 900]


def test_failures_from_another_address_do_not_lock_the_owner_out(session: Any) -> None:
    user = _user(session)
    now = utcnow()
    for _ in range(8):
        try:
            accounts.authenticate(
                session, user.username, "wrong-pass-1", client=ATTACKER, throttle=THROTTLE, now=now
            )
        except (ValidationFailed, accounts.LoginThrottled):
            pass
    owner = accounts.authenticate(
        session, user.username, "right-pass-1", client=OWNER, throttle=THROTTLE, now=now
    )
    with pytest.raises(accounts.LoginThrottled):
        accounts.authenticate(
            session, user.username, "right-pass-1", client=ATTACKER, throttle=THROTTLE, now=now
        )
    assert owner.id == user.id


def test_the_delay_grows_with_each_failure_and_then_lets_the_right_password_in(session: Any) -> None:
    user = _user(session, "grow_t")
    at = utcnow()
    waits = []
    for failures in range(1, 8):
        with pytest.raises(ValidationFailed):
            accounts.authenticate(
                session, user.username, "wrong-pass-1", client=OWNER, throttle=THROTTLE, now=at
            )
        delay = login_delay_seconds(failures, free=5)
        if delay:
            with pytest.raises(accounts.LoginThrottled):
                accounts.authenticate(
                    session, user.username, "right-pass-1", client=OWNER, throttle=THROTTLE, now=at
                )
        waits.append(delay)
        at += timedelta(seconds=delay)
    ok = accounts.authenticate(
        session, user.username, "right-pass-1", client=OWNER, throttle=THROTTLE, now=at
    )
    assert (waits, ok.id) == ([0, 0, 0, 0, 2, 4, 8], user.id)


def test_an_unknown_name_costs_one_argon2_verification_like_a_known_one(
    session: Any, monkeypatch: Any
) -> None:
    user = _user(session, "timing_t")
    accounts._burn_verification("warm-up-1")  # the throwaway hash is made once, before any timing matters
    calls: list[str] = []
    real = accounts.verify_password
    monkeypatch.setattr(accounts, "verify_password", lambda h, p: calls.append(p) or real(h, p))
    for name in (user.username, "nobody_here"):
        with pytest.raises(ValidationFailed) as refused:
            accounts.authenticate(session, name, "wrong-pass-1", client=OWNER, throttle=THROTTLE)
        calls.append(refused.value.errors[0].message)
    assert calls == ["wrong-pass-1", "用户名或密码不正确", "wrong-pass-1", "用户名或密码不正确"]


@pytest.mark.parametrize("password", ["password123", "Admin123", "1qaz2wsx", "woaini1314", "P@ssw0rd"])
def test_common_passwords_are_refused(password: str) -> None:
    assert [e.message for e in password_problems(password)] == [
        "这是最常见的密码之一，很容易被猜到，请换一个"
    ]


def test_an_ordinary_password_is_accepted() -> None:
    assert password_problems("tianmu-lake-7") == []
