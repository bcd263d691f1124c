"""The request page after acceptance: contacts, a proposal with errors beside the fields, confirmation, .ics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from matchmaker.services import accounts, request_meetings
from matchmaker.services import requests as meeting_requests


def _accepted(services: Any, make: Any) -> dict[str, Any]:
    company = make.company(name="溧阳页面测试企业")
    sme = make.user("sme", company=company)
    researcher = make.user("researcher", institution="东南大学溧阳研究院")
    offer = make.offer(created_by=researcher.id)
    need = make.need(company)
    with services.transaction() as s:
        made = meeting_requests.create_request(
            s, accounts.actor_for(sme), offer.id, message="约谈", need_id=need.id
        )
    with services.transaction() as s:
        meeting_requests.answer_request(s, accounts.actor_for(researcher), made.id, accept=True)
    return {"sme": sme, "researcher": researcher, "id": made.id}


def test_a_bad_proposal_comes_back_422_with_messages_beside_the_fields(
    client: Any, services: Any, make: Any, login: Any, csrf: Any
) -> None:
    world = _accepted(services, make)
    login(world["sme"].username)
    page = client.post(
        f"/requests/{world['id']}/propose",
        data={"csrf_token": csrf(), "date_1": "2020-01-01", "time_1": "10:00", "place": "", "duration": "60"},
    )
    assert page.status_code == 422
    assert 'data-field="option_1">第 1 个时间 2020-01-01 10:00 已经过去' in page.text
    assert 'data-field="place">请填写地点' in page.text


def test_proposed_confirmed_and_downloaded_as_a_calendar(
    client: Any, services: Any, make: Any, login: Any, csrf: Any
) -> None:
    world = _accepted(services, make)
    day = (request_meetings.local_now().date() + timedelta(days=4)).isoformat()
    login(world["sme"].username)
    sent = client.post(
        f"/requests/{world['id']}/propose",
        data={
            "csrf_token": csrf(),
            "date_1": day,
            "time_1": "15:00",
            "place": "研究院 2 楼",
            "duration": "90",
        },
        follow_redirects=False,
    )
    assert (sent.status_code, sent.headers["location"]) == (303, f"/requests/{world['id']}")
    login(world["researcher"].username)
    page = client.get(f"/requests/{world['id']}").text
    assert 'data-testid="company-contact">李工 13800000000<' in page
    client.post(f"/requests/{world['id']}/confirm", data={"csrf_token": csrf(), "option": f"{day}T15:00"})
    ics = client.get(f"/requests/{world['id']}/meeting.ics")
    assert (
        ics.status_code == 200 and "DTEND;TZID=Asia/Shanghai:" + day.replace("-", "") + "T163000" in ics.text
    )


def test_a_stranger_gets_404_and_cannot_propose(
    client: Any, services: Any, make: Any, login_as: Any, csrf: Any
) -> None:
    world = _accepted(services, make)
    login_as("sme", company=make.company(name="无关企业"))
    assert client.get(f"/requests/{world['id']}").status_code == 404
    response = client.post(
        f"/requests/{world['id']}/propose",
        data={
            "csrf_token": csrf(),
            "date_1": "2030-01-01",
            "time_1": "10:00",
            "place": "x",
            "duration": "60",
        },
    )
    assert response.status_code == 403


def test_each_roles_home_is_a_workbench(client: Any, make: Any, login_as: Any) -> None:
    pages = []
    for role in ("researcher", "sme", "organizer", "bureau", "admin"):
        kwargs = {"company": make.company()} if role == "sme" else {}
        login_as(role, **kwargs)
        pages.append(client.get("/"))
    assert [p.status_code for p in pages] == [200] * 5
    assert all('id="workbench"' in p.text and "待办" in p.text for p in pages)
    assert 'data-testid="todo-answer"' in pages[0].text and 'data-testid="todo-contracts"' in pages[3].text


def test_the_organizers_follow_up_page_lists_meetings_to_arrange(
    client: Any, services: Any, make: Any, login_as: Any
) -> None:
    _accepted(services, make)
    login_as("organizer")
    page = client.get("/requests/accepted")
    assert page.status_code == 200 and page.text.count('data-testid="to-arrange"') == 1
    assert "待记录结果的约谈" in page.text
