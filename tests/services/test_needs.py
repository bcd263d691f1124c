"""Needs and companies services: who may write, what is audited, and the one masking function."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from matchmaker.domain.errors import Conflict, PermissionDenied, ValidationFailed
from matchmaker.services import accounts, companies, needs
from matchmaker.services.needs import HIDDEN, visible_need
from matchmaker.storage.models import AuditLog, Company, Need, User

FIELDS = ("动力电池", "绿色储能")
TODAY = date(2026, 6, 1)


def raw(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "电芯放一周就鼓起来", "description": "化成后搁置一周，部分电芯明显鼓胀。", "field": "动力电池",
        "budget_min_wan": "20", "budget_max_wan": "80", "coop_modes": ["转让"], "deadline": "2026-12-31",
        "contact": "李工 13800000000",
    }  # fmt: skip
    base.update(overrides)
    return base


def trail(services, entity: str, entity_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with services.session() as s:
        rows = s.exec(
            select(AuditLog).where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
        ).all()
    return [(r.action, r.field) for r in rows]


def test_an_sme_registers_its_company_and_is_bound_to_it(services, make) -> None:
    user = make.user("sme")
    with services.transaction() as s:
        company = companies.register_company(
            s,
            accounts.actor_for(user),
            {
                "name": "溧阳恒新材料有限公司",
                "credit_code": "91320481479954147W",
                "town": "溧城街道",
                "field": "动力电池",
            },
            towns=services.reference.towns,
            fields=services.reference.fields,
        )
    with services.session() as s:
        assert s.get(User, user.id).company_id == company.id
    assert trail(services, "company", company.id) == [("create", "")]
    assert trail(services, "user", user.id) == [("update", "company_id")]


def test_registering_a_credit_code_already_on_file_is_refused_and_nothing_changes(services, make) -> None:
    existing = make.company(name="溧阳已登记有限公司")
    user = make.user("sme")
    with pytest.raises(ValidationFailed) as caught, services.transaction() as s:
        companies.register_company(
            s,
            accounts.actor_for(user),
            {
                "name": "另一个名字",
                "credit_code": existing.credit_code,
                "town": "溧城街道",
                "field": "动力电池",
            },
            towns=services.reference.towns,
            fields=services.reference.fields,
        )
    assert caught.value.by_field() == {
        "credit_code": (
            f"统一社会信用代码 {existing.credit_code} 已登记为「溧阳已登记有限公司」；如果您在该企业工作，请联系管理员把您的账号加入该企业"
        )
    }
    with services.session() as s:
        assert s.get(User, user.id).company_id is None
        assert len(s.exec(select(Company)).all()) == 1


def test_a_user_who_already_has_a_company_cannot_register_another(services, make) -> None:
    user = make.user("sme", company=make.company())
    with pytest.raises(Conflict), services.transaction() as s:
        companies.register_company(s, accounts.actor_for(user), {}, towns=(), fields=())


def test_a_researcher_cannot_register_a_company(services, make) -> None:
    with pytest.raises(PermissionDenied), services.transaction() as s:
        companies.register_company(s, accounts.actor_for(make.user("researcher")), {}, towns=(), fields=())


def test_posting_a_need_stores_it_open_for_the_actors_company_with_an_audit_row(services, make) -> None:
    company = make.company()
    actor = accounts.actor_for(make.user("sme", company=company))
    with services.transaction() as s:
        need = needs.create_need(s, actor, raw(), fields=FIELDS, today=TODAY)
    assert (need.company_id, need.status, need.budget_min_wan, need.budget_max_wan) == (
        company.id,
        "开放",
        20,
        80,
    )
    assert trail(services, "need", need.id) == [("create", "")]


def test_bad_need_input_writes_nothing(services, make) -> None:
    actor = accounts.actor_for(make.user("sme", company=make.company()))
    with pytest.raises(ValidationFailed), services.transaction() as s:
        needs.create_need(s, actor, raw(budget_min_wan="90", budget_max_wan="10"), fields=FIELDS, today=TODAY)
    with services.session() as s:
        assert (s.exec(select(Need)).all(), s.exec(select(AuditLog)).all()) == ([], [])


def test_an_sme_without_a_company_is_asked_to_register_first(services, make) -> None:
    with pytest.raises(Conflict) as caught, services.transaction() as s:
        needs.create_need(s, accounts.actor_for(make.user("sme")), raw(), fields=FIELDS, today=TODAY)
    assert caught.value.message == "请先登记您所在的企业，再发布技术需求"


def test_edit_records_one_audit_row_per_changed_field(services, make) -> None:
    company = make.company()
    actor = accounts.actor_for(make.user("sme", company=company))
    need = make.need(company, deadline=date(2026, 12, 31))
    with services.transaction() as s:
        needs.update_need(
            s,
            actor,
            need.id,
            raw(
                title="新标题",
                budget_max_wan="90",
                description=need.description,
                contact=need.contact,
                budget_min_wan="20",
            ),
            fields=FIELDS,
            today=TODAY,
        )
    assert sorted(trail(services, "need", need.id)) == [("update", "budget_max_wan"), ("update", "title")]


def test_another_company_cannot_edit_or_change_status(services, make) -> None:
    need = make.need(make.company())
    other = accounts.actor_for(make.user("sme", company=make.company()))
    with pytest.raises(PermissionDenied) as caught, services.transaction() as s:
        needs.update_need(s, other, need.id, raw(), fields=FIELDS, today=TODAY)
    assert caught.value.message == "只能修改本企业的技术需求"
    with pytest.raises(PermissionDenied), services.transaction() as s:
        needs.change_status(s, other, need.id, "关闭")


def test_an_admin_may_change_any_needs_status_and_it_is_audited(services, make) -> None:
    need = make.need(make.company())
    with services.transaction() as s:
        needs.change_status(s, accounts.actor_for(make.user("admin")), need.id, "对接中")
    with services.session() as s:
        assert s.get(Need, need.id).status == "对接中"
    assert trail(services, "need", need.id) == [("status", "status")]


def test_a_refused_transition_leaves_the_status_alone(services, make) -> None:
    company = make.company()
    need = make.need(company, status="关闭")
    with pytest.raises(ValidationFailed), services.transaction() as s:
        needs.change_status(s, accounts.actor_for(make.user("sme", company=company)), need.id, "开放")
    with services.session() as s:
        assert s.get(Need, need.id).status == "关闭"
    assert trail(services, "need", need.id) == []


def test_a_closed_need_can_no_longer_be_edited(services, make) -> None:
    company = make.company()
    need = make.need(company, status="已解决")
    with pytest.raises(Conflict) as caught, services.transaction() as s:
        needs.update_need(
            s,
            accounts.actor_for(make.user("sme", company=company)),
            need.id,
            raw(),
            fields=FIELDS,
            today=TODAY,
        )
    assert caught.value.message == "需求状态为「已解决」，不能再修改"


@pytest.mark.parametrize(
    ("role", "same_company", "contact", "budget"),
    [
        ("sme", True, "李工 13800000000", "20–80 万元"),
        ("sme", False, HIDDEN, HIDDEN),
        ("researcher", False, HIDDEN, HIDDEN),
        ("organizer", False, "李工 13800000000", "20–80 万元"),
        ("bureau", False, "李工 13800000000", "20–80 万元"),
        ("admin", False, "李工 13800000000", "20–80 万元"),
    ],
)
def test_visible_need_masks_private_fields_for_everyone_but_the_owner_and_the_organisers(
    services, make, role: str, same_company: bool, contact: str, budget: str
) -> None:
    owner = make.company()
    need = make.need(owner, contact_public=False, budget_public=False)
    viewer = make.user(role, company=owner if same_company else (make.company() if role == "sme" else None))
    view = visible_need(need, accounts.actor_for(viewer))
    assert (view.contact_text, view.budget_text) == (contact, budget)
    body = view.to_json()
    if contact == HIDDEN:
        assert (
            body["contact"],
            body["budget_min_wan"],
            body["budget_max_wan"],
            body["contact_hidden"],
            body["budget_hidden"],
        ) == (None, None, None, True, True)
        assert "13800000000" not in str(body)


def test_public_switches_show_contact_and_budget_to_other_companies(services, make) -> None:
    need = make.need(make.company(), contact_public=True, budget_public=True)
    view = visible_need(need, accounts.actor_for(make.user("sme", company=make.company())))
    assert (view.contact_text, view.budget_text, view.can_edit) == ("李工 13800000000", "20–80 万元", False)
