"""Logging in and out: argon2 hashes, session cookie flags, CSRF, throttling, deactivated accounts."""

from __future__ import annotations

from sqlmodel import select

from matchmaker.services import accounts
from matchmaker.storage.models import User


def _token(page_text: str) -> str:
    return page_text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_login_with_right_password_sets_an_httponly_lax_session_cookie(client, make) -> None:
    user = make.user("bureau")
    token = _token(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": user.username, "password": "pass-word-1", "csrf_token": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert response.status_code == 303
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "您好" in client.get("/").text


def test_passwords_are_stored_as_argon2id_hashes(make, services) -> None:
    make.user("admin", "hashcheck")
    with services.session() as s:
        stored = s.exec(select(User).where(User.username == "hashcheck")).one().password_hash
    assert stored.startswith("$argon2id$")


def test_wrong_password_shows_a_chinese_message_beside_the_field_and_keeps_the_username(client, make) -> None:
    user = make.user("bureau")
    token = _token(client.get("/login").text)
    response = client.post(
        "/login", data={"username": user.username, "password": "wrong-1234", "csrf_token": token}
    )
    assert response.status_code == 422
    assert '<div class="error" data-field="password">用户名或密码不正确</div>' in response.text
    assert f'value="{user.username}"' in response.text


def test_login_without_csrf_token_is_refused(client, make) -> None:
    user = make.user("bureau")
    client.get("/login")
    response = client.post("/login", data={"username": user.username, "password": "pass-word-1"})
    assert response.status_code == 403
    assert "CSRF" in response.text


def test_repeated_failures_lock_the_login_even_for_the_right_password(client, make) -> None:
    user = make.user("bureau")
    token = _token(client.get("/login").text)
    for _ in range(5):
        client.post(
            "/login", data={"username": user.username, "password": "nope-nope-1", "csrf_token": token}
        )
    response = client.post(
        "/login", data={"username": user.username, "password": "pass-word-1", "csrf_token": token}
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text


def test_one_client_trying_many_user_names_is_locked_out_but_others_are_not(client, make, services) -> None:
    user = make.user("bureau")
    token = _token(client.get("/login").text)
    for i in range(services.throttle.max_client_failures):  # password spraying: every name tried once
        client.post("/login", data={"username": f"guess-{i}", "password": "123456", "csrf_token": token})
    response = client.post(
        "/login", data={"username": user.username, "password": "pass-word-1", "csrf_token": token}
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text
    with services.session() as session:  # the same account from another address still logs in
        assert (
            accounts.authenticate(
                session, user.username, "pass-word-1", client="198.51.100.7", throttle=services.throttle
            ).id
            == user.id
        )


def test_deactivated_user_cannot_log_in(client, make) -> None:
    user = make.user("sme", active=False)
    token = _token(client.get("/login").text)
    response = client.post(
        "/login", data={"username": user.username, "password": "pass-word-1", "csrf_token": token}
    )
    assert response.status_code == 422
    assert "该账号已停用" in response.text


def test_logout_ends_the_session(client, login_as, csrf) -> None:
    login_as("bureau")
    token = csrf()
    client.post("/logout", data={"csrf_token": token})
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_anonymous_user_is_sent_to_login_with_next(client) -> None:
    response = client.get("/admin/users", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/users"


def test_login_next_parameter_never_leaves_the_site(client, make) -> None:
    user = make.user("bureau")
    token = _token(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": "pass-word-1",
            "csrf_token": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_user_changes_own_password_and_the_old_one_stops_working(client, login_as, csrf, login) -> None:
    user = login_as("sme")
    bad = client.post(
        "/account/password", data={"csrf_token": csrf(), "current_password": "wrong", "new_password": "abc"}
    )
    assert bad.status_code == 422
    assert 'data-field="current_password"' in bad.text and 'data-field="new_password"' in bad.text
    ok = client.post(
        "/account/password",
        data={"csrf_token": csrf(), "current_password": "pass-word-1", "new_password": "new-pass-22"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    client.cookies.clear()
    login(user.username, "new-pass-22")
