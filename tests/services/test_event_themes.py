"""A docking event's theme: stored on both databases, checked against the field list, and keeping the matcher's
proposals for the event on theme."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from matchmaker.domain.errors import ValidationFailed
from matchmaker.services import accounts, event_proposals, events, needs
from matchmaker.services.permissions import Actor
from matchmaker.storage.models import User

FIELDS = ("动力电池", "现代农业", "新材料")
FORM = {
    "name": "动力电池专场",
    "event_date": "2026-05-20",
    "start_time": "14:00",
    "end_time": "15:00",
    "slot_minutes": "20",
    "tables": "2",
}


def _organizer(session: Session) -> Actor:
    user = User(username="organizer-theme", display_name="组织者", role="organizer", password_hash="x")
    session.add(user)
    session.flush()
    return accounts.actor_for(user)


def test_an_events_theme_is_stored_and_shown_in_its_json(session: Session) -> None:
    organizer = _organizer(session)
    theme = {"theme_fields": ["动力电池", "新材料"], "theme_keywords": "电解液、 隔膜，电解液"}
    created = events.create_event(session, organizer, {**FORM, **theme}, fields=FIELDS)
    plain = events.create_event(session, organizer, {**FORM, "name": "综合专场"}, fields=FIELDS)
    session.flush()
    session.expire_all()

    stored = events.get_event(session, created.id or 0)
    data = events.as_json(stored)
    assert (data["theme_fields"], data["theme_keywords"]) == (["动力电池", "新材料"], ["电解液", "隔膜"])
    assert events.as_json(events.get_event(session, plain.id or 0))["theme_fields"] == []


def test_a_theme_field_outside_the_field_list_is_refused_beside_the_field(session: Session) -> None:
    organizer = _organizer(session)
    with pytest.raises(ValidationFailed) as refused:
        events.create_event(session, organizer, {**FORM, "theme_fields": ["动力电池", "茶叶"]}, fields=FIELDS)
    assert refused.value.by_field() == {
        "theme_fields": "主题领域「茶叶」不在产业领域列表中，请从列表中勾选。"
    }


def _need(services: Any, actor: Actor, **values: Any) -> int:
    base = {"expected_outcome": "小试工艺", "budget_min_wan": "20", "budget_max_wan": "80", "coop_modes": ["转让"],
            "deadline": "", "contact": "李工 13800000000"}  # fmt: skip
    with services.transaction() as session:
        need = needs.create_need(session, actor, {**base, **values}, fields=FIELDS, today=date(2026, 1, 5))
    assert need.id is not None
    return need.id


def test_a_themed_event_proposes_only_on_theme_pairs(services: Any, make: Any) -> None:
    sme = accounts.actor_for(make.user("sme", company=make.company(name="溧阳恒力电池有限公司")))
    battery_offer = make.offer(
        title="一种锂离子电池隔膜陶瓷涂覆方法", abstract="隔膜陶瓷涂覆，降低锂离子电池隔膜高温收缩。"
    )
    tea_offer = make.offer(
        title="一种茶园茶小绿叶蝉诱捕装置", abstract="茶园茶小绿叶蝉诱捕，减少农药。", field="现代农业"
    )
    battery_need = _need(
        services, sme, title="电池隔膜高温收缩", description="锂离子电池隔膜高温收缩，希望找到涂覆工艺。",
        field="动力电池",
    )  # fmt: skip
    tea_need = _need(
        services, sme, title="茶园小绿叶蝉危害", description="茶园茶小绿叶蝉危害严重，希望找到诱捕装置。",
        field="现代农业",
    )  # fmt: skip

    everything = event_proposals.propose(services, min_score=0.0)
    themed = event_proposals.propose(services, min_score=0.0, theme=event_proposals.theme_of(
        events.Event(name="动力电池专场", event_date=date(2026, 5, 20), start_time="14:00", end_time="15:00",
                     theme_fields=["动力电池"])
    ))  # fmt: skip

    assert (tea_offer.id, tea_need) in {(p.offer_id, p.need_id) for p in everything}
    assert themed and all(p.offer_id == battery_offer.id or p.need_id == battery_need for p in themed)
    assert (themed[0].offer_id, themed[0].need_id) == (battery_offer.id, battery_need)
    assert themed[0].reasons[0] == "符合对接会主题：属动力电池领域"
