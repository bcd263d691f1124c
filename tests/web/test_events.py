"""对接会 pages and API: who may change an event, forms keep what was typed, the schedule round trip."""

from __future__ import annotations

import re
from typing import Any

from matchmaker.services import event_schedule, events
from matchmaker.services.accounts import actor_for

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


def _scheduled_event(services: Any, make: Any) -> dict[str, Any]:
    organizer = make.user("organizer")
    researcher = make.user("researcher")
    company = make.company()
    rep = make.user("sme", company=company)
    offer, need = make.offer(created_by=researcher.id), make.need(company, created_by=rep.id)
    actor = actor_for(organizer)
    with services.transaction() as s:
        event = events.create_event(s, actor, FORM)
        events.add_pair(s, actor, event.id, offer_id=offer.id, need_id=need.id)
    with services.transaction() as s:
        event_schedule.solve_event(s, actor, event.id, time_limit_s=5)
        event_schedule.publish(s, actor, event.id)
    with services.session() as s:
        people = {p.kind: p.id for p in events.participants_of(s, event.id)}
    return {
        "event_id": event.id,
        "researcher": researcher,
        "rep": rep,
        "people": people,
        "organizer": organizer,
    }


def test_a_bad_event_form_comes_back_with_the_message_beside_the_field_and_422(
    client: Any, login_as: Any, csrf: Any
) -> None:
    login_as("organizer")
    response = client.post("/events/new", data={**FORM, "slot_minutes": "90", "csrf_token": csrf()})
    message = re.search(r'data-field="slot_minutes">([^<]*)<', response.text)
    assert (
        response.status_code,
        message.group(1) if message else None,
        'value="动力电池专场"' in response.text,
    ) == (422, "时段长度 90 分钟超过了对接时间窗口的 60 分钟。", True)


def test_an_organizer_creates_an_event_and_lands_on_its_pairs(client: Any, login_as: Any, csrf: Any) -> None:
    login_as("organizer")
    response = client.post("/events/new", data={**FORM, "csrf_token": csrf()}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/events/1/pairs")


def test_researchers_and_companies_cannot_open_the_organizer_pages(client: Any, login_as: Any) -> None:
    login_as("researcher")
    assert [client.get(p).status_code for p in ("/events", "/events/new", "/api/v1/events")] == [
        403,
        403,
        403,
    ]


def test_a_participant_cannot_post_a_schedule_change(
    client: Any, services: Any, make: Any, login: Any, csrf: Any
) -> None:
    world = _scheduled_event(services, make)
    login(world["rep"].username)
    token = csrf()
    responses = [
        client.post(f"/events/{world['event_id']}/solve", data={"csrf_token": token}),
        client.post(f"/api/v1/events/{world['event_id']}/publish", headers={"X-CSRF-Token": token}),
        client.post(
            f"/api/v1/events/{world['event_id']}/meetings/1",
            json={"action": "drop"},
            headers={"X-CSRF-Token": token},
        ),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]


def test_a_participant_sees_their_own_agenda_but_not_someone_elses(
    client: Any, services: Any, make: Any, login: Any
) -> None:
    world = _scheduled_event(services, make)
    login(world["rep"].username)
    base = f"/events/{world['event_id']}/participants"
    codes = [
        client.get(f"{base}/{world['people']['company']}/agenda.ics").status_code,
        client.get(f"{base}/{world['people']['researcher']}/agenda.ics").status_code,
        client.get(f"{base}/{world['people']['researcher']}/agenda").status_code,
    ]
    assert codes == [200, 403, 403]


def test_my_events_shows_the_published_agenda_with_its_calendar_link(
    client: Any, services: Any, make: Any, login: Any
) -> None:
    world = _scheduled_event(services, make)
    login(world["researcher"].username)
    page = client.get("/my/events")
    link = f"/events/{world['event_id']}/participants/{world['people']['researcher']}/agenda.ics"
    assert (page.status_code, link in page.text, "14:00–14:20" in page.text) == (200, True, True)


def test_the_calendar_has_one_event_per_meeting_in_shanghai_time(
    client: Any, services: Any, make: Any, login_as: Any
) -> None:
    world = _scheduled_event(services, make)
    login_as("organizer")
    body = client.get(
        f"/api/v1/events/{world['event_id']}/participants/{world['people']['company']}/agenda.ics"
    ).text
    assert (body.count("BEGIN:VEVENT"), "DTSTART;TZID=Asia/Shanghai:20260520T140000" in body) == (1, True)


def test_the_schedule_exports_as_csv_with_chinese_headers(
    client: Any, services: Any, make: Any, login_as: Any
) -> None:
    world = _scheduled_event(services, make)
    login_as("organizer")
    response = client.get(f"/events/{world['event_id']}/schedule?export=csv")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header == "时间,结束,桌位,科研人员,企业,专利成果,技术需求,固定,已发布,到场,洽谈结果,备注"


def test_the_api_refuses_a_move_to_a_missing_table_with_a_field_error(
    client: Any, services: Any, make: Any, login_as: Any, csrf: Any
) -> None:
    world = _scheduled_event(services, make)
    login_as("organizer")
    with services.session() as s:
        meeting = events.meetings_of(s, world["event_id"])[0]
    response = client.post(
        f"/api/v1/events/{world['event_id']}/meetings/{meeting.id}",
        json={"action": "move", "table": 9},
        headers={"X-CSRF-Token": csrf()},
    )
    assert (response.status_code, response.json()) == (
        422,
        {"errors": [{"field": "table", "message": "所选桌位不存在。"}]},
    )


def test_the_api_creates_an_event_from_lists(client: Any, login_as: Any, csrf: Any) -> None:
    login_as("organizer")
    body = {**FORM, "breaks": [["14:20", "14:40"]], "tables": ["A桌", "B桌"]}
    response = client.post("/api/v1/events", json=body, headers={"X-CSRF-Token": csrf()})
    data = response.json()
    assert (response.status_code, data["tables"], [s["start"] for s in data["slots"]]) == (
        201,
        ["A桌", "B桌"],
        ["14:00", "14:40"],
    )


def test_a_signed_outcome_links_to_the_contract_form_only_for_those_who_register_contracts(
    client: Any, services: Any, make: Any, login: Any, login_as: Any, csrf: Any
) -> None:
    world = _scheduled_event(services, make)
    login(world["organizer"].username)
    with services.session() as s:
        meeting = events.meetings_of(s, world["event_id"])[0]
    client.post(
        f"/events/{world['event_id']}/outcomes",
        data={
            "csrf_token": csrf(),
            "meeting": str(meeting.id),
            f"attendance_{meeting.id}": "到场",
            f"outcome_{meeting.id}": "签约",
            f"note_{meeting.id}": "",
        },
    )
    page = client.get(f"/events/{world['event_id']}/outcomes")
    assert "/contracts/new" not in page.text  # organizers may not register contracts: no link to a 403
    assert "合同由知识产权局登记" in page.text

    login_as("admin")
    page = client.get(f"/events/{world['event_id']}/outcomes")
    assert f'href="/contracts/new?meeting={meeting.id}"' in page.text
    assert client.get(f"/contracts/new?meeting={meeting.id}").status_code == 200
