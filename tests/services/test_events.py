"""Docking-event use cases against a real database: building, scheduling, pinning, publishing, outcomes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from matchmaker.domain.errors import Conflict, PermissionDenied, ValidationFailed
from matchmaker.services import event_schedule, events, notifications
from matchmaker.services.accounts import actor_for
from matchmaker.storage.models import AuditLog, EventParticipant, Judgement, MeetingRequest, Notification

FORM = {
    "name": "动力电池专场",
    "event_date": "2026-05-20",
    "venue": "科创中心",
    "start_time": "14:00",
    "end_time": "15:00",
    "slot_minutes": "20",
    "breaks": "",
    "tables": "2",
    "min_meetings_per_participant": "1",
}


@pytest.fixture
def world(services: Any, make: Any) -> dict[str, Any]:
    """An organizer, two researchers of one institution with an offer each, two companies with a need each."""
    organizer = actor_for(make.user("organizer"))
    chen, lin = make.user("researcher"), make.user("researcher")
    offers = [make.offer(created_by=chen.id), make.offer(created_by=lin.id)]
    companies = [make.company(), make.company()]
    reps = [make.user("sme", company=c) for c in companies]
    needs = [make.need(c, created_by=r.id) for c, r in zip(companies, reps)]
    with services.transaction() as s:
        event = events.create_event(s, organizer, FORM)
    return {
        "organizer": organizer,
        "researchers": [chen, lin],
        "offers": offers,
        "companies": companies,
        "reps": reps,
        "needs": needs,
        "event_id": event.id,
    }


def _pair(services: Any, w: dict[str, Any], offer: int, need: int) -> int:
    with services.transaction() as s:
        pair = events.add_pair(
            s, w["organizer"], w["event_id"], offer_id=w["offers"][offer].id, need_id=w["needs"][need].id
        )
    return int(pair.id)


def test_a_window_that_ends_before_it_starts_is_refused_beside_the_end_time(
    services: Any, world: Any
) -> None:
    with services.transaction() as s, pytest.raises(ValidationFailed) as caught:
        events.create_event(s, world["organizer"], {**FORM, "end_time": "13:00"})
    assert caught.value.by_field() == {"end_time": "结束时间 13:00 必须晚于开始时间 14:00。"}


def test_only_organizers_may_create_an_event(services: Any, make: Any) -> None:
    researcher = actor_for(make.user("researcher"))
    with services.transaction() as s, pytest.raises(PermissionDenied) as caught:
        events.create_event(s, researcher, FORM)
    assert caught.value.message == "只有对接会组织者可以管理对接会"


def test_a_pair_brings_in_the_offer_creator_and_the_need_company(services: Any, world: Any) -> None:
    _pair(services, world, 0, 0)
    _pair(services, world, 1, 0)
    with services.session() as s:
        people = [(p.kind, p.user_id, p.company_id) for p in events.participants_of(s, world["event_id"])]
    assert people == [
        ("researcher", world["researchers"][0].id, None),
        ("researcher", world["researchers"][1].id, None),
        ("company", world["reps"][0].id, world["companies"][0].id),
    ]


def test_the_same_pair_twice_is_refused(services: Any, world: Any) -> None:
    _pair(services, world, 0, 0)
    with pytest.raises(ValidationFailed) as caught:
        _pair(services, world, 0, 0)
    assert caught.value.by_field() == {"need_id": "该成果与需求的配对已在候选名单中。"}


def test_accepted_requests_are_imported_once_with_the_researcher_who_accepted(
    services: Any, world: Any
) -> None:
    lin = world["researchers"][1]
    with services.transaction() as s:
        s.add(
            MeetingRequest(
                offer_id=world["offers"][0].id,
                need_id=world["needs"][1].id,
                company_id=world["companies"][1].id,
                requested_by=world["reps"][1].id,
                state="已接受",
                responded_by=lin.id,
            )
        )
    with services.transaction() as s:
        first = events.import_accepted_requests(s, world["organizer"], world["event_id"])
    with services.transaction() as s:
        second = events.import_accepted_requests(s, world["organizer"], world["event_id"])
    with services.session() as s:
        rows = events.pair_rows(s, world["event_id"])
        researcher = s.get(EventParticipant, rows[0].pair.researcher_id)
    assert (first, second, rows[0].pair.source, researcher.user_id) == (1, 0, "request", lin.id)


def test_solving_places_every_pair_without_double_booking_and_explains_a_refusal(
    services: Any, world: Any
) -> None:
    pairs = [_pair(services, world, o, n) for o in (0, 1) for n in (0, 1)]
    with services.transaction() as s:
        events.set_preference(s, world["organizer"], world["event_id"], pairs[3], "不见")
    with services.transaction() as s:
        result = event_schedule.solve_event(s, world["organizer"], world["event_id"], time_limit_s=5)
    with services.session() as s:
        event = events.get_event(s, world["event_id"])
        meetings = events.meetings_of(s, world["event_id"])
    busy = [(m.slot, person) for m in meetings for person in _people(services, m.pair_id)]
    assert (result.status, sorted(m.pair_id for m in meetings), len(busy) == len(set(busy))) == (
        "optimal",
        pairs[:3],
        True,
    )
    assert event.solve_info["unplaced"] == [[pairs[3], "refused", "不见"]]


def _people(services: Any, pair_id: int) -> tuple[int, int]:
    from matchmaker.storage.models import EventPair

    with services.session() as s:
        pair = s.get(EventPair, pair_id)
        return pair.researcher_id, pair.company_participant_id


def test_a_pin_outside_a_participants_availability_is_refused_naming_them(services: Any, world: Any) -> None:
    _pair(services, world, 0, 0)
    with services.transaction() as s:
        event_schedule.solve_event(s, world["organizer"], world["event_id"], time_limit_s=5)
    with services.session() as s:
        meeting = events.meetings_of(s, world["event_id"])[0]
        company = next(p for p in events.participants_of(s, world["event_id"]) if p.kind == "company")
    with services.transaction() as s:
        events.update_participant(
            s, world["organizer"], world["event_id"], company.id, available_slots=[0, 1], cap=None
        )
    with services.transaction() as s, pytest.raises(ValidationFailed) as caught:
        event_schedule.change_meeting(
            s, world["organizer"], world["event_id"], meeting.id, action="move", slot=2
        )
    assert caught.value.message == (
        f"固定的会谈「{world['researchers'][0].display_name}—{company.name}」在 14:40 "
        f"无法进行：{company.name}该时段不可参加。"
    )


def test_a_moved_meeting_stays_where_it_was_pinned_after_a_resolve(services: Any, world: Any) -> None:
    _pair(services, world, 0, 0)
    _pair(services, world, 1, 1)
    with services.transaction() as s:
        event_schedule.solve_event(s, world["organizer"], world["event_id"], time_limit_s=5)
    with services.session() as s:
        meeting = events.meetings_of(s, world["event_id"])[0]
    with services.transaction() as s:
        event_schedule.change_meeting(
            s, world["organizer"], world["event_id"], meeting.id, action="move", slot=2, table=1
        )
    with services.transaction() as s:
        event_schedule.solve_event(s, world["organizer"], world["event_id"], time_limit_s=5)
    with services.session() as s:
        again = next(m for m in events.meetings_of(s, world["event_id"]) if m.id == meeting.id)
    assert (again.slot, again.table_index, again.pinned_slot, again.pinned_table) == (2, 1, True, True)


def test_publishing_notifies_everyone_then_only_those_whose_meeting_moved(services: Any, world: Any) -> None:
    _pair(services, world, 0, 0)
    _pair(services, world, 1, 1)
    with services.transaction() as s:
        event_schedule.solve_event(s, world["organizer"], world["event_id"], time_limit_s=5)
    with services.transaction() as s:
        first = event_schedule.publish(s, world["organizer"], world["event_id"])
    with services.session() as s:
        meeting = next(m for m in events.meetings_of(s, world["event_id"]) if m.slot == 0)
    with services.transaction() as s:
        event_schedule.change_meeting(
            s, world["organizer"], world["event_id"], meeting.id, action="move", slot=2
        )
    with services.transaction() as s:
        result = event_schedule.solve_event(s, world["organizer"], world["event_id"], time_limit_s=5)
    with services.transaction() as s:
        second = event_schedule.publish(s, world["organizer"], world["event_id"])
        status = events.get_event(s, world["event_id"]).status
    assert (first, [mv.pair_id for mv in result.moved], second, status) == (4, [meeting.pair_id], 2, "已发布")


def test_a_participant_marks_their_own_pair_but_not_after_publishing(services: Any, world: Any) -> None:
    pair_id = _pair(services, world, 0, 0)
    rep = actor_for(world["reps"][0])
    with services.transaction() as s:
        events.set_own_preference(s, rep, world["event_id"], pair_id, "必须见")
    with services.session() as s:
        row = events.pair_rows(s, world["event_id"])[0]
    with services.transaction() as s:
        event_schedule.solve_event(s, world["organizer"], world["event_id"], time_limit_s=5)
        event_schedule.publish(s, world["organizer"], world["event_id"])
    with services.transaction() as s, pytest.raises(Conflict):
        events.set_own_preference(s, rep, world["event_id"], pair_id, "不见")
    assert (row.pair.company_preference, row.preference) == ("必须见", "必须见")


def test_someone_else_cannot_mark_a_pair_they_are_not_in(services: Any, world: Any) -> None:
    pair_id = _pair(services, world, 0, 0)
    other = actor_for(world["reps"][1])
    with services.transaction() as s, pytest.raises(PermissionDenied) as caught:
        events.set_own_preference(s, other, world["event_id"], pair_id, "不见")
    assert caught.value.message == "只能为自己参加的会谈标记意愿"


def test_a_signed_outcome_becomes_a_grade_two_judgement(services: Any, world: Any) -> None:
    _pair(services, world, 0, 0)
    with services.transaction() as s:
        event_schedule.solve_event(s, world["organizer"], world["event_id"], time_limit_s=5)
        event_schedule.publish(s, world["organizer"], world["event_id"])
    with services.session() as s:
        meeting = events.meetings_of(s, world["event_id"])[0]
    with services.transaction() as s:
        changed = event_schedule.record_outcomes(
            s, world["organizer"], world["event_id"], {meeting.id: ("到场", "签约", "当场签约")}
        )
    with services.session() as s:
        judgements = [(j.need_id, j.offer_id, j.label, j.grade, j.source) for j in s.exec(select(Judgement))]
    assert (changed, judgements) == (1, [(world["needs"][0].id, world["offers"][0].id, "签约", 2, "meeting")])


def test_a_signed_outcome_asks_the_bureau_to_register_the_contract_once(
    services: Any, world: Any, make: Any
) -> None:
    bureau = make.user("bureau")
    _pair(services, world, 0, 0)
    _pair(services, world, 1, 1)
    with services.transaction() as s:
        event_schedule.solve_event(s, world["organizer"], world["event_id"], time_limit_s=5)
        event_schedule.publish(s, world["organizer"], world["event_id"])
    with services.session() as s:
        signed, hopeful = events.meetings_of(s, world["event_id"])[:2]
        before = notifications.unread_count(s, bureau.id)
    for _ in range(2):  # saving the same outcome again asks nothing more
        with services.transaction() as s:
            event_schedule.record_outcomes(
                s,
                world["organizer"],
                world["event_id"],
                {signed.id: ("到场", "签约", ""), hopeful.id: ("到场", "意向", "")},
            )
    with services.session() as s:
        asked = notifications.latest(s, bureau.id)[: notifications.unread_count(s, bureau.id) - before]
    assert [(n.link, "请登记技术合同" in n.text) for n in asked] == [
        (f"/contracts/new?meeting={signed.id}", True)
    ]


def test_an_absent_meeting_cannot_have_an_outcome(services: Any, world: Any) -> None:
    _pair(services, world, 0, 0)
    with services.transaction() as s:
        event_schedule.solve_event(s, world["organizer"], world["event_id"], time_limit_s=5)
        event_schedule.publish(s, world["organizer"], world["event_id"])
    with services.session() as s:
        meeting = events.meetings_of(s, world["event_id"])[0]
    with services.transaction() as s, pytest.raises(ValidationFailed) as caught:
        event_schedule.record_outcomes(
            s, world["organizer"], world["event_id"], {meeting.id: ("缺席", "意向", "")}
        )
    assert caught.value.by_field() == {f"outcome_{meeting.id}": "缺席的会谈不能填写洽谈结果。"}


def test_building_and_scheduling_leave_an_audit_trail(services: Any, world: Any) -> None:
    _pair(services, world, 0, 0)
    with services.transaction() as s:
        event_schedule.solve_event(s, world["organizer"], world["event_id"], time_limit_s=5)
    with services.session() as s:
        trail = [(a.entity, a.action) for a in s.exec(select(AuditLog).order_by(AuditLog.id))]
    assert trail == [("event", "create"), ("event_pair", "create"), ("event", "schedule")]


def test_a_published_schedule_sends_a_notice_with_a_link_to_my_events(services: Any, world: Any) -> None:
    _pair(services, world, 0, 0)
    with services.transaction() as s:
        event_schedule.solve_event(s, world["organizer"], world["event_id"], time_limit_s=5)
        event_schedule.publish(s, world["organizer"], world["event_id"])
    with services.session() as s:
        notes = sorted((n.user_id, n.text, n.link) for n in s.exec(select(Notification)))
    text = "「动力电池专场」会谈日程已发布，请查看您的日程。"
    assert notes == [
        (world["researchers"][0].id, text, "/my/events"),
        (world["reps"][0].id, text, "/my/events"),
    ]
