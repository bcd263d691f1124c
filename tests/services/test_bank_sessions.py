"""银企对接: a bank meets companies at a docking event and the scheduler places those meetings like the others."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from matchmaker.domain.errors import ValidationFailed
from matchmaker.services import bank_sessions, event_schedule, events
from matchmaker.services.accounts import actor_for
from matchmaker.storage.models import EventParticipant, Meeting

FORM = {
    "name": "知识产权质押融资银企对接会", "event_date": "2026-06-18", "venue": "科创中心", "start_time": "14:00",
    "end_time": "15:00", "slot_minutes": "20", "breaks": "", "tables": "2", "min_meetings_per_participant": "1",
}  # fmt: skip


def test_a_bank_meets_two_companies_in_different_slots(services: Any, make: Any) -> None:
    organizer = actor_for(make.user("organizer"))
    companies = [make.company(), make.company()]
    with services.transaction() as s:
        event_id = events.create_event(s, organizer, FORM).id or 0
        for company in companies:
            bank_sessions.add_bank_pair(s, organizer, event_id, "江苏银行溧阳支行", company.id)
    with services.transaction() as s:
        event_schedule.solve_event(s, organizer, event_id, time_limit_s=5)
    with services.session() as s:
        people = {
            p.id: p for p in s.exec(select(EventParticipant).where(EventParticipant.event_id == event_id))
        }
        meetings = list(s.exec(select(Meeting).where(Meeting.event_id == event_id)))
        rows = events.pair_rows(s, event_id)
    assert sorted(p.kind for p in people.values()) == ["bank", "company", "company"]
    assert len(meetings) == 2 and len({m.slot for m in meetings}) == 2
    assert [(r.offer_title, r.need_title, r.researcher) for r in rows] == [
        ("知识产权质押融资", "（银企对接）", "江苏银行溧阳支行")
    ] * 2


def test_the_same_bank_and_company_twice_and_a_missing_company_are_refused(services: Any, make: Any) -> None:
    organizer = actor_for(make.user("organizer"))
    company = make.company()
    with services.transaction() as s:
        event_id = events.create_event(s, organizer, FORM).id or 0
        bank_sessions.add_bank_pair(s, organizer, event_id, "溧阳市融资担保有限公司", company.id)
    with services.transaction() as s, pytest.raises(ValidationFailed) as twice:
        bank_sessions.add_bank_pair(s, organizer, event_id, "溧阳市融资担保有限公司", company.id)
    assert twice.value.by_field()["company_id"].endswith("的对接已在候选名单中")
    with services.transaction() as s, pytest.raises(ValidationFailed) as empty:
        bank_sessions.add_bank_pair(s, organizer, event_id, " ", None)
    assert set(empty.value.by_field()) == {"bank", "company_id"}
