"""Every demo role logs in through the real login page and sees its own navigation, in Chinese."""

from __future__ import annotations

import pytest

from matchmaker.web.nav import nav_for, nav_groups

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
    bar = page.locator("header.topbar").bounding_box()
    helpers.shot(page, f"roles-{role}")
    assert links == [item.label for group in nav_groups(role) for item in group.items]
    assert sorted(links) == sorted(item.label for item in nav_for(role))
    assert bar is not None and bar["height"] < 60  # one row at 1366 px, however many pages the role has
    assert "您好" in page.inner_text("main")


def test_a_menu_of_the_admin_bar_opens_on_hover_and_leads_to_its_page(page, helpers) -> None:
    helpers.log_in(page, "admin", helpers.passwords["admin"])
    page.hover("nav.mainnav button:has-text('系统管理')")
    page.click("nav.mainnav a:has-text('操作日志')")
    page.wait_for_selector("h1:has-text('操作日志')")
    crumbs = page.inner_text("nav.breadcrumbs")
    helpers.shot(page, "admin-audit-log")
    assert crumbs == "首页 › 操作日志"


def test_wrong_password_shows_the_message_beside_the_field(page, helpers) -> None:
    page.goto("/login")
    page.fill("#f-username", "admin")
    page.fill("#f-password", "not-the-password-1")
    page.click("button[type=submit]")
    assert page.inner_text('[data-field="password"]') == "用户名或密码不正确"
    helpers.shot(page, "login-error")
