"""After acceptance: contacts, proposing and confirming a time, reminders, the .ics, events and outcomes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from matchmaker.domain.errors import Conflict, PermissionDenied, ValidationFailed
from matchmaker.services import accounts, events, notifications, request_meetings, stats
from matchmaker.services import requests as meeting_requests
from matchmaker.storage.models import EventPair, Judgement, RequestMeeting

SEU = "东南大学溧阳研究院"
NOW = request_meetings.local_now()
D1, D2 = (NOW.date() + timedelta(days=2)).isoformat(), (NOW.date() + timedelta(days=3)).isoformat()


@pytest.fixture
def world(services, make):  # type: ignore[no-untyped-def]
    """An accepted request: an SME's need (contact private) and an SEU offer whose researcher accepted."""
    company = make.company(name="溧阳恒锂测试有限公司")
    sme = make.user("sme", company=company)
    researcher = make.user("researcher", institution=SEU)
    offer = make.offer(SEU, created_by=researcher.id)
    need = make.need(company)
    with services.transaction() as s:
        made = meeting_requests.create_request(
            s, accounts.actor_for(sme), offer.id, message="想谈谈", need_id=need.id
        )
    with services.transaction() as s:
        meeting_requests.answer_request(s, accounts.actor_for(researcher), made.id, accept=True)
    return {
        "company": company,
        "sme": sme,
        "researcher": researcher,
        "offer": offer,
        "need": need,
        "id": made.id,
    }


def _propose(services, user, request_id, *, dates=(D1, D2), times=("14:30", "09:00")):  # type: ignore[no-untyped-def]
    with services.transaction() as s:
        return request_meetings.propose(
            s,
            accounts.actor_for(user),
            request_id,
            dates=list(dates),
            times=list(times),
            place="东南大学溧阳研究院 3 楼会议室",
            duration="60",
            now=NOW,
        )


def test_after_acceptance_the_researcher_sees_the_private_contact_and_another_company_still_does_not(
    services, world, make
) -> None:
    other_company = make.company(name="另一家测试企业")
    outsider = make.user("researcher", institution="重庆大学溧阳研究院")
    with services.session() as s:
        seen = request_meetings.detail(s, accounts.actor_for(world["researcher"]), world["id"])
        inbox = meeting_requests.inbox(s, accounts.actor_for(world["researcher"]))
        from matchmaker.services.needs import view_one

        by_other = view_one(s, world["need"].id, accounts.actor_for(make.user("sme", company=other_company)))
        by_outsider = view_one(s, world["need"].id, accounts.actor_for(outsider))
    assert (seen.company.contact, inbox[0].need.contact) == ("李工 13800000000", "李工 13800000000")
    assert seen.researcher.contact == "王工 0519-87000000"
    assert (by_other.contact, by_outsider.contact) == (None, None)


def test_a_proposal_is_checked_field_by_field_and_changes_nothing(services, world) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _propose(
            services,
            world["sme"],
            world["id"],
            dates=((NOW.date() - timedelta(days=5)).isoformat(), D1),
            times=("14:00", "03:00"),
        )
    assert caught.value.by_field() == {
        "option_1": f"第 1 个时间 {(NOW.date() - timedelta(days=5)).isoformat()} 14:00 已经过去，请选择以后的时间",
        "option_2": "第 2 个时间不在 7:00–21:00 之间，请检查上午/下午",
    }
    with services.session() as s:
        assert s.exec(select(RequestMeeting)).all() == []


def test_the_other_side_confirms_and_both_are_told_with_a_calendar(services, world) -> None:
    _propose(services, world["sme"], world["id"])
    with services.session() as s:
        told = notifications.latest(s, world["researcher"].id)[0]
    assert told.text.startswith("企业就「") and told.link == f"/requests/{world['id']}"
    with pytest.raises(Conflict), services.transaction() as s:
        request_meetings.confirm(s, accounts.actor_for(world["sme"]), world["id"], option=f"{D1}T14:30")
    with services.transaction() as s:
        request_meetings.confirm(
            s, accounts.actor_for(world["researcher"]), world["id"], option=f"{D2}T09:00"
        )
    with services.session() as s:
        meeting = s.exec(select(RequestMeeting)).one()
        name, body = request_meetings.calendar(s, accounts.actor_for(world["sme"]), world["id"])
        sme_note = notifications.latest(s, world["sme"].id)[0]
    assert (meeting.state, meeting.starts_at) == ("已确认", datetime(2026, 12, 9, 1, 0, tzinfo=UTC))
    assert sme_note.text.startswith("会谈已确认：") and "12月09日 09:00" in sme_note.text
    text = body.decode()
    assert (
        "DTSTART;TZID=Asia/Shanghai:20261209T090000" in text
        and "DTEND;TZID=Asia/Shanghai:20261209T100000" in text
    )
    assert name.endswith(".ics")


def test_only_the_two_sides_may_propose(services, world, make) -> None:
    stranger = make.user("sme", company=make.company(name="旁观企业"))
    with pytest.raises(PermissionDenied):
        _propose(services, stranger, world["id"])


def test_a_reminder_goes_out_once_a_day_ahead(services, world) -> None:
    _propose(services, world["sme"], world["id"])
    with services.transaction() as s:
        request_meetings.confirm(
            s, accounts.actor_for(world["researcher"]), world["id"], option=f"{D1}T14:30"
        )
    starts = datetime.combine(date.fromisoformat(D1), time(6, 30), tzinfo=UTC)
    with services.transaction() as s:
        assert request_meetings.send_due_reminders(s, starts - timedelta(hours=30)) == 0
    with services.transaction() as s:
        assert request_meetings.send_due_reminders(s, starts - timedelta(hours=20)) == 1
    with services.transaction() as s:
        assert request_meetings.send_due_reminders(s, starts - timedelta(hours=19)) == 0
    with services.session() as s:
        texts = [n.text for n in notifications.latest(s, world["sme"].id)]
    assert sum(t.startswith("提醒：") for t in texts) == 1


def test_an_outcome_becomes_a_judgement_counts_in_the_funnel_and_a_signing_tells_the_bureau(
    services, world, make
) -> None:
    bureau = make.user("bureau")
    _propose(services, world["researcher"], world["id"])
    with services.transaction() as s:
        request_meetings.confirm(s, accounts.actor_for(world["sme"]), world["id"], option=f"{D1}T14:30")
    with pytest.raises(Conflict), services.transaction() as s:  # the meeting has not started
        meeting = s.exec(select(RequestMeeting)).one()
        meeting.starts_at = datetime.now(UTC) + timedelta(hours=1)
        s.add(meeting)
        s.flush()
        request_meetings.record_outcome(s, accounts.actor_for(world["sme"]), world["id"], outcome="签约")
    with services.transaction() as s:
        meeting = s.exec(select(RequestMeeting)).one()
        meeting.starts_at = datetime.now(UTC) - timedelta(hours=1)
        s.add(meeting)
    with services.session() as s:
        before = stats.funnel(s, stats.StatsFilters())[0]
    with services.transaction() as s:
        request_meetings.record_outcome(
            s, accounts.actor_for(world["sme"]), world["id"], outcome="签约", note="签订转让合同"
        )
    with services.session() as s:
        judgements = s.exec(select(Judgement).where(Judgement.source == "meeting")).all()
        after = stats.funnel(s, stats.StatsFilters())[0]
        bureau_note = notifications.latest(s, bureau.id)[0]
    assert [(j.need_id, j.offer_id, j.label, j.grade) for j in judgements] == [
        (world["need"].id, world["offer"].id, "签约", 2)
    ]
    assert [a.count - b.count for a, b in zip(after, before, strict=True)][2:4] == [1, 1]
    assert bureau_note.link == f"/contracts/new?request={world['id']}"


def test_an_organizer_pulls_the_pair_into_an_upcoming_event(services, world, make) -> None:
    organizer = accounts.actor_for(make.user("organizer"))
    upcoming = (date.today() + timedelta(days=20)).isoformat()
    form = {
        "name": "储能专场",
        "event_date": upcoming,
        "venue": "科创中心",
        "start_time": "14:00",
        "end_time": "16:00",
        "slot_minutes": "20",
        "breaks": "",
        "tables": "4",
        "min_meetings_per_participant": "1",
    }
    with services.transaction() as s:
        event = events.create_event(s, organizer, form)
    with pytest.raises(PermissionDenied), services.transaction() as s:
        request_meetings.move_to_event(s, accounts.actor_for(world["sme"]), world["id"], event.id)
    with services.transaction() as s:
        request_meetings.move_to_event(s, organizer, world["id"], event.id)
    with services.session() as s:
        pairs = s.exec(select(EventPair).where(EventPair.event_id == event.id)).all()
        meeting = s.exec(select(RequestMeeting)).one()
    assert [(p.offer_id, p.need_id, p.source) for p in pairs] == [
        (world["offer"].id, world["need"].id, "request")
    ]
    assert (meeting.state, meeting.event_id) == ("已转入对接会", event.id)
