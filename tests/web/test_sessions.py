"""Sessions are kept on the server: logout, a password change and an admin's 全部下线 end them (a copied cookie
dies too), they expire when idle and at an absolute limit, and an admin-chosen password must be changed first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select
from starlette.testclient import TestClient

from matchmaker.storage.models import User, UserSession

PASSWORD = "pass-word-1"


def _csrf(client: TestClient, path: str = "/account") -> str:
    return client.get(path).text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    token = _csrf(client, "/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def _signed_in(client: TestClient) -> bool:
    return client.get("/account", follow_redirects=False).status_code == 200


def test_a_cookie_copied_before_logout_no_longer_works_after_it(
    app: Any, client: TestClient, make: Any
) -> None:
    user = make.user("bureau")
    _login(client, user.username)
    copied = dict(client.cookies)
    client.post("/logout", data={"csrf_token": _csrf(client)})
    with TestClient(app, cookies=copied) as thief:
        assert (_signed_in(thief), thief.get("/account", follow_redirects=False).headers["location"]) == (
            False,
            "/login?next=/account",
        )


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(
    app: Any, client: TestClient, make: Any
) -> None:
    user = make.user("sme")
    _login(client, user.username)
    with TestClient(app) as other:
        _login(other, user.username)
        response = client.post(
            "/account/password",
            data={"csrf_token": _csrf(client), "current_password": PASSWORD, "new_password": "new-pass-2026"},
            follow_redirects=False,
        )
        assert (response.status_code, _signed_in(client), _signed_in(other)) == (303, True, False)


def test_an_admin_signs_an_account_out_everywhere(
    app: Any, client: TestClient, make: Any, services: Any
) -> None:
    admin, user = make.user("admin"), make.user("researcher")
    _login(client, admin.username)
    with TestClient(app) as laptop:
        _login(laptop, user.username)
        assert _signed_in(laptop)
        response = client.post(
            f"/admin/users/{user.id}/sign-out", data={"csrf_token": _csrf(client)}, follow_redirects=False
        )
        assert (response.status_code, _signed_in(laptop), _signed_in(client)) == (303, False, True)


def test_a_session_ends_at_its_absolute_lifetime_however_active(
    client: TestClient, make: Any, services: Any
) -> None:
    user = make.user("bureau")
    _login(client, user.username)
    with services.transaction() as s:
        row = s.exec(select(UserSession).where(UserSession.user_id == user.id)).one()
        row.created_at -= timedelta(seconds=services.settings.session_max_seconds + 1)
        s.add(row)
    assert _signed_in(client) is False


def test_a_session_ends_when_idle_too_long(client: TestClient, make: Any, services: Any) -> None:
    user = make.user("bureau")
    _login(client, user.username)
    with services.transaction() as s:
        row = s.exec(select(UserSession).where(UserSession.user_id == user.id)).one()
        row.last_seen_at -= timedelta(seconds=services.settings.session_idle_seconds + 1)
        row.created_at = row.last_seen_at
        s.add(row)
    assert _signed_in(client) is False


def test_responses_do_not_extend_the_cookie_lifetime(client: TestClient, make: Any) -> None:
    user = make.user("bureau")
    response = _login(client, user.username)
    assert (
        "max-age" in response.headers["set-cookie"].lower(),
        "expires" in response.headers["set-cookie"].lower(),
    ) == (
        False,
        False,
    )


def test_an_account_created_by_an_admin_must_change_its_password_first(
    app: Any, client: TestClient, make: Any, services: Any
) -> None:
    admin = make.user("admin")
    _login(client, admin.username)
    client.post(
        "/admin/users/new",
        data={"csrf_token": _csrf(client), "username": "ipo_new", "display_name": "新同事", "role": "bureau",
              "password": "given-by-admin-1"},
    )  # fmt: skip
    with TestClient(app) as newcomer:
        first = _login(newcomer, "ipo_new", "given-by-admin-1")
        elsewhere = newcomer.get("/contracts", follow_redirects=False)
        api = newcomer.get("/api/v1/offers")
        changed = newcomer.post(
            "/account/password",
            data={
                "csrf_token": _csrf(newcomer, "/account/password"),
                "current_password": "given-by-admin-1",
                "new_password": "chosen-by-me-7",
            },
            follow_redirects=False,
        )
        assert (
            first.headers["location"],
            elsewhere.headers["location"],
            api.status_code,
            changed.status_code,
            newcomer.get("/contracts").status_code,
        ) == ("/account/password", "/account/password", 403, 303, 200)
    with services.session() as s:
        assert s.exec(select(User.must_change_password).where(User.username == "ipo_new")).one() is False


def test_an_admin_password_reset_ends_sessions_and_must_be_changed(
    app: Any, client: TestClient, make: Any
) -> None:
    admin, user = make.user("admin"), make.user("sme")
    _login(client, admin.username)
    with TestClient(app) as device:
        _login(device, user.username)
        client.post(
            f"/admin/users/{user.id}",
            data={"csrf_token": _csrf(client), "display_name": "测试", "role": "sme", "is_active": "1",
                  "new_password": "reset-by-admin-3"},
        )  # fmt: skip
        assert _signed_in(device) is False
        assert _login(device, user.username, "reset-by-admin-3").headers["location"] == "/account/password"
