"""Pages and API for companies and needs: register, post, edit, status; errors beside fields, nothing written."""

from __future__ import annotations

from sqlmodel import select

from matchmaker.storage.models import Company, Need, User

FORM = {
    "title": "电芯放一周就鼓起来", "description": "化成后搁置一周，部分电芯明显鼓胀。", "expected_outcome": "工艺方案",
    "field": "动力电池", "budget_min_wan": "20", "budget_max_wan": "80", "coop_modes": ["转让", "合作开发"],
    "deadline": "2099-12-31", "contact": "李工 13800000000",
}  # fmt: skip


def test_an_sme_without_a_company_is_sent_to_register_it_first(client, login_as) -> None:
    login_as("sme")
    response = client.get("/needs/new", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/company")


def test_registering_a_company_binds_the_user_and_opens_the_need_form(
    client, login_as, csrf, services
) -> None:
    user = login_as("sme")
    response = client.post(
        "/company",
        data={
            "csrf_token": csrf(),
            "name": "溧阳恒新材料有限公司",
            "credit_code": "91320481479954147W",
            "town": "溧城街道",
            "field": "动力电池",
        },
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/needs/new")
    with services.session() as s:
        company = s.exec(select(Company)).one()
        assert s.get(User, user.id).company_id == company.id


def test_a_wrong_credit_code_shows_the_expected_check_character_beside_the_field(
    client, login_as, csrf, services
) -> None:
    login_as("sme")
    response = client.post(
        "/company",
        data={
            "csrf_token": csrf(),
            "name": "溧阳恒新材料有限公司",
            "credit_code": "91320481479954147X",
            "town": "溧城街道",
            "field": "动力电池",
        },
    )
    assert response.status_code == 422
    assert (
        '<div class="error" data-field="credit_code">统一社会信用代码 91320481479954147X 的校验位应为 W</div>'
        in response.text
    )
    assert 'value="溧阳恒新材料有限公司"' in response.text
    with services.session() as s:
        assert s.exec(select(Company)).all() == []


def test_posting_a_need_redirects_to_its_page(client, login_as, csrf, make, services) -> None:
    login_as("sme", company=make.company())
    response = client.post("/needs/new", data={"csrf_token": csrf(), **FORM}, follow_redirects=False)
    with services.session() as s:
        need = s.exec(select(Need)).one()
    assert (response.status_code, response.headers["location"]) == (303, f"/needs/{need.id}")
    assert (need.coop_modes, need.budget_min_wan, need.contact_public) == (["转让", "合作开发"], 20, False)


def test_a_bad_need_form_shows_errors_beside_fields_keeps_input_and_writes_nothing(
    client, login_as, csrf, make, services
) -> None:
    login_as("sme", company=make.company())
    response = client.post(
        "/needs/new",
        data={
            "csrf_token": csrf(),
            **FORM,
            "budget_min_wan": "90",
            "budget_max_wan": "10",
            "deadline": "2001-01-01",
            "field": "航天",
        },
    )
    assert response.status_code == 422
    for name in ("budget_max_wan", "deadline", "field"):
        assert f'data-field="{name}"' in response.text
    assert 'value="电芯放一周就鼓起来"' in response.text
    with services.session() as s:
        assert s.exec(select(Need)).all() == []


def test_the_owner_moves_a_need_through_the_status_flow(client, login_as, csrf, make, services) -> None:
    company = make.company()
    need = make.need(company)
    login_as("sme", company=company)
    client.post(f"/needs/{need.id}/status", data={"csrf_token": csrf(), "status": "对接中"})
    client.post(f"/needs/{need.id}/status", data={"csrf_token": csrf(), "status": "已解决"})
    page = client.post(f"/needs/{need.id}/status", data={"csrf_token": csrf(), "status": "开放"})
    with services.session() as s:
        assert s.get(Need, need.id).status == "已解决"
    assert "需求状态不能从「已解决」改为「开放」" in page.text


def test_another_company_gets_403_on_edit_and_status(client, login_as, csrf, make, services) -> None:
    need = make.need(make.company())
    login_as("sme", company=make.company())
    assert client.get(f"/needs/{need.id}/edit").status_code == 403
    assert (
        client.post(f"/needs/{need.id}/status", data={"csrf_token": csrf(), "status": "关闭"}).status_code
        == 403
    )
    with services.session() as s:
        assert s.get(Need, need.id).status == "开放"


def test_the_owner_edits_a_need_and_sees_the_change(client, login_as, csrf, make) -> None:
    company = make.company()
    need = make.need(company)
    login_as("sme", company=company)
    response = client.post(
        f"/needs/{need.id}/edit", data={"csrf_token": csrf(), **FORM, "title": "改过的标题"}
    )
    assert response.status_code == 200
    assert "<h1>改过的标题</h1>" in response.text


def test_api_creates_a_need_and_reports_field_errors_as_json(client, login_as, csrf, make, services) -> None:
    login_as("sme", company=make.company())
    headers = {"x-csrf-token": csrf()}
    created = client.post(
        "/api/v1/needs", json={**FORM, "budget_min_wan": 20, "budget_max_wan": 80}, headers=headers
    )
    assert (created.status_code, created.json()["budget_text"]) == (201, "20–80 万元")
    bad = client.post(
        "/api/v1/needs", json={**FORM, "budget_min_wan": 90, "budget_max_wan": 10}, headers=headers
    )
    assert (bad.status_code, bad.json()) == (
        422,
        {"errors": [{"field": "budget_max_wan", "message": "预算上限 10 万元不能小于下限 90 万元"}]},
    )
    with services.session() as s:
        assert len(s.exec(select(Need)).all()) == 1


def test_api_patch_changes_only_given_fields_and_status_endpoint_follows_the_flow(
    client, login_as, csrf, make, services
) -> None:
    company = make.company()
    need = make.need(company, deadline=None)
    login_as("sme", company=company)
    headers = {"x-csrf-token": csrf()}
    patched = client.patch(f"/api/v1/needs/{need.id}", json={"budget_max_wan": 120}, headers=headers)
    assert (patched.status_code, patched.json()["budget_text"], patched.json()["title"]) == (
        200,
        "20–120 万元",
        need.title,
    )
    moved = client.post(f"/api/v1/needs/{need.id}/status", json={"status": "关闭"}, headers=headers)
    refused = client.post(f"/api/v1/needs/{need.id}/status", json={"status": "开放"}, headers=headers)
    assert (moved.json()["status"], refused.status_code) == ("关闭", 422)


def test_api_registers_a_company(client, login_as, csrf) -> None:
    login_as("sme")
    response = client.post(
        "/api/v1/companies",
        headers={"x-csrf-token": csrf()},
        json={
            "name": "溧阳恒新材料有限公司",
            "credit_code": "91320481479954147W",
            "town": "溧城街道",
            "field": "动力电池",
        },
    )
    assert (response.status_code, response.json()["credit_code"]) == (201, "91320481479954147W")


def test_the_openapi_document_lists_the_needs_endpoints(client, login_as) -> None:
    login_as("sme")
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert sorted(p for p in paths if "needs" in p or "search" in p or "companies" in p) == [
        "/api/v1/companies",
        "/api/v1/needs",
        "/api/v1/needs/{need_id}",
        "/api/v1/needs/{need_id}/matches",
        "/api/v1/needs/{need_id}/status",
        "/api/v1/search/offers",
    ]
