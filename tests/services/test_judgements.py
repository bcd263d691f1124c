"""Judgements: organizers' marks stored with who and when, changed rather than duplicated, audited, listed."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from matchmaker.domain.errors import NotFound, PermissionDenied, ValidationFailed
from matchmaker.services import accounts, judgements, match_evaluation
from matchmaker.storage.models import AuditLog, Judgement


@pytest.fixture
def pair(make):  # type: ignore[no-untyped-def]
    offer = make.offer(title="一种锂离子电池隔膜陶瓷涂覆方法")
    need = make.need(make.company(), title="电池隔膜高温收缩")
    return need.id, offer.id


@pytest.fixture
def organizer(make):  # type: ignore[no-untyped-def]
    return accounts.actor_for(make.user("organizer", username="org_test"))


def test_an_organizer_marks_a_good_match_stored_with_who_and_when(services, pair, organizer) -> None:
    need_id, offer_id = pair
    with services.transaction() as session:
        judgements.mark(session, organizer, need_id, offer_id, "好匹配", "双方都愿意谈")

    with services.session() as session:
        stored = session.exec(select(Judgement)).one()
    assert (
        stored.need_id,
        stored.offer_id,
        stored.label,
        stored.grade,
        stored.source,
        stored.user_id,
        stored.note,
    ) == (need_id, offer_id, "好匹配", 2, "organizer", organizer.id, "双方都愿意谈")
    assert stored.at is not None


def test_marking_again_changes_the_label_and_the_audit_keeps_old_and_new(services, pair, organizer) -> None:
    need_id, offer_id = pair
    with services.transaction() as session:
        judgements.mark(session, organizer, need_id, offer_id, "好匹配")
    with services.transaction() as session:
        judgements.mark(session, organizer, need_id, offer_id, "不相关")

    with services.session() as session:
        stored = session.exec(select(Judgement)).all()
        trail = session.exec(
            select(AuditLog).where(AuditLog.entity == "judgement").order_by(col(AuditLog.id))
        ).all()
    assert [(j.label, j.grade) for j in stored] == [("不相关", 0)]
    assert [(a.action, a.field, a.old, a.new) for a in trail] == [
        ("create", "", None, f"需求 {need_id} × 成果 {offer_id}：好匹配（2）"),
        ("update", "label", "好匹配", "不相关"),
    ]


def test_researchers_and_smes_may_not_judge(services, pair, make) -> None:
    need_id, offer_id = pair
    for role in ("researcher", "sme", "bureau"):
        actor = accounts.actor_for(make.user(role))
        with pytest.raises(PermissionDenied), services.transaction() as session:
            judgements.mark(session, actor, need_id, offer_id, "好匹配")

    with services.session() as session:
        assert session.exec(select(Judgement)).all() == []


def test_an_unknown_label_or_pair_is_refused(services, pair, organizer) -> None:
    need_id, offer_id = pair
    with pytest.raises(ValidationFailed) as bad, services.transaction() as session:
        judgements.mark(session, organizer, need_id, offer_id, "还行")
    with pytest.raises(NotFound), services.transaction() as session:
        judgements.mark(session, organizer, need_id, 9999, "好匹配")

    assert bad.value.by_field() == {"label": "评价只能是好匹配或不相关"}


def test_the_list_filters_by_label_source_and_title(services, pair, organizer, make) -> None:
    need_id, offer_id = pair
    tea = make.offer(title="一种茶园害虫诱捕装置")
    with services.transaction() as session:
        judgements.mark(session, organizer, need_id, offer_id, "好匹配")
        judgements.mark(session, organizer, need_id, tea.id, "不相关")
        session.add(Judgement(need_id=need_id, offer_id=offer_id, label="签约", grade=2, source="meeting"))

    with services.session() as session:
        bad = judgements.list_judgements(session, judgements.JudgementFilters(label="不相关")).rows
        meeting = judgements.list_judgements(session, judgements.JudgementFilters(source="meeting")).rows
        by_title = judgements.list_judgements(session, judgements.JudgementFilters(q="茶园")).rows
        everything = judgements.list_judgements(session, judgements.JudgementFilters())

    assert [(r.offer_title, r.username) for r in bad] == [("一种茶园害虫诱捕装置", "org_test")]
    assert [(r.label, r.username, r.source_text) for r in meeting] == [("签约", "系统", "会谈结果")]
    assert [r.label for r in by_title] == ["不相关"]
    assert everything.total == 3


def test_the_latest_judgement_of_a_pair_is_its_grade_for_evaluation(services, pair) -> None:
    need_id, offer_id = pair
    with services.transaction() as session:
        session.add(Judgement(need_id=need_id, offer_id=offer_id, label="意向", grade=1, source="request"))
    with services.transaction() as session:
        session.add(Judgement(need_id=need_id, offer_id=offer_id, label="签约", grade=2, source="meeting"))

    with services.session() as session:
        assert match_evaluation.judged_grades(session) == {str(need_id): {str(offer_id): 2}}


def test_organizer_marks_are_looked_up_for_the_pairs_shown(services, pair, organizer) -> None:
    need_id, offer_id = pair
    with services.transaction() as session:
        judgements.mark(session, organizer, need_id, offer_id, "不相关")

    with services.session() as session:
        marks = judgements.organizer_marks(session, [(need_id, offer_id), (need_id, offer_id + 100)])

    assert marks == {(need_id, offer_id): "不相关"}
