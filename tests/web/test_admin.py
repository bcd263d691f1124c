"""The admin's pages: accounts, roles, deactivation, institutions and aliases."""

from __future__ import annotations

from sqlmodel import select

from matchmaker.storage.models import AuditLog, InstitutionAlias, User


def test_admin_creates_a_researcher_bound_to_an_institution(client, login_as, csrf, make, services) -> None:
    login_as("admin")
    inst = make.institution("重庆大学溧阳研究院")
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf(),
            "username": "cqu_li",
            "display_name": "李研究员",
            "email": "li@example.cn",
            "role": "researcher",
            "institution_id": str(inst.id),
            "password": "secret-123",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    with services.session() as s:
        user = s.exec(select(User).where(User.username == "cqu_li")).one()
        trail = s.exec(select(AuditLog).where(AuditLog.entity == "user", AuditLog.entity_id == user.id)).all()
    assert (user.role, user.institution_id) == ("researcher", inst.id)
    assert [t.action for t in trail] == ["create"]


def test_bad_account_form_shows_each_error_beside_its_field_and_writes_nothing(
    client, login_as, csrf, services
) -> None:
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf(),
            "username": "1x",
            "display_name": "",
            "email": "not-an-email",
            "role": "researcher",
            "institution_id": "",
            "password": "short",
        },
    )
    assert response.status_code == 422
    for field in ("username", "display_name", "email", "password", "institution_id"):
        assert f'data-field="{field}"' in response.text
    assert 'value="not-an-email"' in response.text
    with services.session() as s:
        assert s.exec(select(User).where(User.username == "1x")).first() is None


def test_admin_deactivates_a_user_who_then_cannot_use_the_session(
    client, login_as, csrf, make, services
) -> None:
    login_as("admin")
    target = make.user("sme")
    response = client.post(
        f"/admin/users/{target.id}",
        data={
            "csrf_token": csrf(),
            "display_name": "停用者",
            "email": "",
            "role": "sme",
            "institution_id": "",
            "company_id": "",
            "is_active": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    with services.session() as s:
        assert s.get(User, target.id).is_active is False


def test_non_admin_gets_403_on_admin_pages_and_writes(client, login_as, csrf) -> None:
    login_as("bureau")
    assert client.get("/admin/users").status_code == 403
    response = client.post(
        "/admin/users/new", data={"csrf_token": csrf(), "username": "hacker", "role": "admin"}
    )
    assert response.status_code == 403
    assert "没有权限" in response.text


def test_admin_adds_an_alias_and_the_normaliser_uses_it(client, login_as, csrf, make, services) -> None:
    login_as("admin")
    inst = make.institution("东南大学溧阳研究院")
    client.post(
        "/admin/institutions",
        data={
            "csrf_token": csrf(),
            "action": "add_alias",
            "institution_id": str(inst.id),
            "alias": "东大溧阳院",
        },
    )
    page = client.get("/admin/institutions", params={"probe": "东大溧阳院"})
    assert "东大溧阳院" in page.text
    assert "→ <strong>东南大学溧阳研究院</strong>（别名精确匹配" in page.text


def test_duplicate_alias_is_refused_with_a_message(client, login_as, csrf, make, services) -> None:
    login_as("admin")
    inst = make.institution("东南大学溧阳研究院")
    with services.session() as s:
        before = len(s.exec(select(InstitutionAlias)).all())
    response = client.post(
        "/admin/institutions",
        data={
            "csrf_token": csrf(),
            "action": "add_alias",
            "institution_id": str(inst.id),
            "alias": "东大溧阳研究院",
        },
    )
    assert response.status_code == 422
    assert "已被登记为单位名称或别名" in response.text
    with services.session() as s:
        assert len(s.exec(select(InstitutionAlias)).all()) == before


def test_user_list_exports_to_excel(client, login_as) -> None:
    login_as("admin")
    response = client.get("/admin/users?export=xlsx")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    assert "attachment" in response.headers["content-disposition"]


def test_audit_log_exports_to_excel_in_beijing_time(client, login_as, csrf, make) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    login_as("admin")
    inst = make.institution()
    client.post(
        "/admin/institutions",
        data={
            "csrf_token": csrf(),
            "action": "add_alias",
            "institution_id": str(inst.id),
            "alias": "导出测试别名",
        },
    )
    response = client.get("/admin/audit?export=xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "操作人", "对象")
    assert any(row[7] == "导出测试别名" and row[0].tzinfo is None for row in rows[1:])
