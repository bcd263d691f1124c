"""Meeting requests: asking, answering with a structured reason, judgements, notifications, accepted pairs."""

from __future__ import annotations

import pytest
from sqlmodel import select

from matchmaker.domain.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from matchmaker.services import accounts, notifications
from matchmaker.services import requests as meeting_requests
from matchmaker.storage.models import AuditLog, Judgement, MeetingRequest

SEU = "东南大学溧阳研究院"
CQU = "重庆大学溧阳研究院"


@pytest.fixture
def world(services, make):  # type: ignore[no-untyped-def]
    """An SME with a need, and an SEU offer written by an SEU researcher."""
    company = make.company(name="溧阳恒锂测试有限公司")
    sme = make.user("sme", company=company)
    researcher = make.user("researcher", institution=SEU)
    offer = make.offer(SEU, created_by=researcher.id)
    need = make.need(company)
    return {"company": company, "sme": sme, "researcher": researcher, "offer": offer, "need": need}


def ask(services, world, **kw):  # type: ignore[no-untyped-def]
    with services.transaction() as s:
        return meeting_requests.create_request(
            s,
            accounts.actor_for(world["sme"]),
            world["offer"].id,
            message=kw.pop("message", "想了解隔膜的量产条件"),
            **kw,
        )


def test_a_request_is_stored_pending_audited_and_notifies_the_offer_author(services, world) -> None:
    made = ask(services, world, need_id=world["need"].id)
    with services.session() as s:
        stored = s.get(MeetingRequest, made.id)
        notes = notifications.latest(s, world["researcher"].id)
        audit_rows = s.exec(select(AuditLog).where(AuditLog.entity == "meeting_request")).all()
    assert (stored.state, stored.company_id, stored.need_id) == (
        "待回复",
        world["company"].id,
        world["need"].id,
    )
    assert [(n.text, n.link) for n in notes] == [
        (f"溧阳恒锂测试有限公司申请就成果「{world['offer'].title}」会谈", "/requests/inbox")
    ]
    assert [r.action for r in audit_rows] == ["create"]


def test_a_second_pending_request_for_the_same_offer_is_refused(services, world) -> None:
    ask(services, world)
    with pytest.raises(Conflict) as caught:
        ask(services, world)
    assert caught.value.message == "贵企业已就该成果提交过会谈请求，正在等待对方回复"


def test_an_empty_message_and_another_companys_need_are_both_reported(services, world, make) -> None:
    foreign = make.need(make.company())
    with pytest.raises(ValidationFailed) as caught:
        ask(services, world, message=" ", need_id=foreign.id)
    assert caught.value.by_field() == {
        "message": "请简单说明想谈什么，例如遇到的问题和希望的合作方式",
        "need_id": "只能选择本企业的技术需求",
    }


def test_a_draft_offer_cannot_be_asked_about(services, world, make) -> None:
    draft = make.offer(SEU, status="草稿")
    with pytest.raises(NotFound), services.transaction() as s:
        meeting_requests.create_request(s, accounts.actor_for(world["sme"]), draft.id, message="你好")


def test_declining_stores_the_reason_a_grade_zero_judgement_and_notifies_the_sme(services, world) -> None:
    made = ask(services, world, need_id=world["need"].id)
    with services.transaction() as s:
        meeting_requests.answer_request(
            s,
            accounts.actor_for(world["researcher"]),
            made.id,
            accept=False,
            reason="阶段太早",
            note="中试还没做完",
        )
    with services.session() as s:
        stored = s.get(MeetingRequest, made.id)
        judgements = s.exec(select(Judgement)).all()
        notes = notifications.latest(s, world["sme"].id)
    assert (stored.state, stored.decline_reason, stored.decline_note) == (
        "已拒绝",
        "阶段太早",
        "中试还没做完",
    )
    assert [(j.need_id, j.offer_id, j.grade, j.label, j.source) for j in judgements] == [
        (world["need"].id, world["offer"].id, 0, "阶段太早", "request")
    ]
    assert [n.text for n in notes] == [f"您就成果「{world['offer'].title}」的会谈请求已被婉拒（阶段太早）"]


def test_accepting_stores_a_grade_one_intent_judgement(services, world) -> None:
    made = ask(services, world, need_id=world["need"].id)
    with services.transaction() as s:
        meeting_requests.answer_request(s, accounts.actor_for(world["researcher"]), made.id, accept=True)
    with services.session() as s:
        judgements = s.exec(select(Judgement)).all()
    assert [(j.grade, j.label) for j in judgements] == [(1, "意向")]


def test_a_request_without_a_need_is_answered_without_a_judgement(services, world) -> None:
    made = ask(services, world)
    with services.transaction() as s:
        meeting_requests.answer_request(s, accounts.actor_for(world["researcher"]), made.id, accept=True)
    with services.session() as s:
        assert s.exec(select(Judgement)).all() == []


def test_declining_needs_a_known_reason_and_a_note_for_other(services, world) -> None:
    made = ask(services, world)
    actor = accounts.actor_for(world["researcher"])
    with pytest.raises(ValidationFailed) as caught, services.transaction() as s:
        meeting_requests.answer_request(s, actor, made.id, accept=False, reason="不想谈")
    assert caught.value.by_field() == {
        "reason": "请选择拒绝原因：技术不匹配、阶段太早、预算不符、已转让、其他"
    }
    with pytest.raises(ValidationFailed) as caught, services.transaction() as s:
        meeting_requests.answer_request(s, actor, made.id, accept=False, reason="其他")
    assert caught.value.by_field() == {"note": "选择“其他”时请写明原因"}


def test_a_researcher_of_another_institution_cannot_answer(services, world, make) -> None:
    made = ask(services, world)
    with pytest.raises(PermissionDenied) as caught, services.transaction() as s:
        meeting_requests.answer_request(
            s, accounts.actor_for(make.user("researcher", institution=CQU)), made.id, accept=True
        )
    assert caught.value.message == "只能处理本单位成果收到的会谈请求"


def test_an_answered_request_cannot_be_answered_again(services, world) -> None:
    made = ask(services, world)
    actor = accounts.actor_for(world["researcher"])
    with services.transaction() as s:
        meeting_requests.answer_request(s, actor, made.id, accept=True)
    with pytest.raises(Conflict) as caught, services.transaction() as s:
        meeting_requests.answer_request(s, actor, made.id, accept=False, reason="已转让")
    assert caught.value.message == "该请求已接受，不能再次处理"


def test_inbox_lists_only_requests_on_the_researchers_institution(services, world, make) -> None:
    made = ask(services, world)
    with services.session() as s:
        mine = meeting_requests.inbox(s, accounts.actor_for(world["researcher"]))
        theirs = meeting_requests.inbox(s, accounts.actor_for(make.user("researcher", institution=CQU)))
    assert ([r.id for r in mine], theirs) == ([made.id], [])


def test_accepted_requests_are_the_candidate_pairs_for_organizers(services, world) -> None:
    accepted = ask(services, world, need_id=world["need"].id)
    with services.transaction() as s:
        meeting_requests.answer_request(s, accounts.actor_for(world["researcher"]), accepted.id, accept=True)
    with services.session() as s:
        pairs = meeting_requests.accepted_requests(s)
    assert [(p.request_id, p.offer_id, p.need_id, p.company_id, p.researcher_user_id) for p in pairs] == [
        (accepted.id, world["offer"].id, world["need"].id, world["company"].id, world["researcher"].id)
    ]
