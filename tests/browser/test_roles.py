"""Every demo role logs in through the real login page and sees its own navigation, in Chinese."""

from __future__ import annotations

import pytest

from matchmaker.web.nav import nav_for

DEMO_USERS = [
    ("admin", "admin"),
    ("ipo_zhou", "bureau"),
    ("org_sun", "organizer"),
    ("seu_wang", "researcher"),
    ("sme_hengli", "sme"),
]


@pytest.mark.parametrize(("username", "role"), DEMO_USERS)
def test_each_demo_role_logs_in_and_sees_its_navigation(page, helpers, username: str, role: str) -> None:
    helpers.log_in(page, username, helpers.passwords[role])
    links = page.locator("nav.mainnav a").all_inner_texts()
    helpers.shot(page, f"roles-{role}")
    assert links == [item.label for item in nav_for(role)]
    assert "您好" in page.inner_text("main")


def test_wrong_password_shows_the_message_beside_the_field(page, helpers) -> None:
    page.goto("/login")
    page.fill("#f-username", "admin")
    page.fill("#f-password", "not-the-password-1")
    page.click("button[type=submit]")
    assert page.inner_text('[data-field="password"]') == "用户名或密码不正确"
    helpers.shot(page, "login-error")
