"""银企对接 on the event pages: the organizer adds a bank–company session; the bank shows as a participant."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient


def test_the_organizer_adds_a_bank_company_session_on_the_event_page(
    client: TestClient, login: Any, csrf: Any, make: Any, services: Any
) -> None:
    from matchmaker.services import events
    from matchmaker.services.accounts import actor_for

    organizer = make.user("organizer")
    company = make.company(name="溧阳银企测试有限公司")
    with services.transaction() as s:
        event = events.create_event(
            s,
            actor_for(organizer),
            {"name": "银企对接会", "event_date": "2026-06-18", "start_time": "14:00", "end_time": "15:00",
             "slot_minutes": "20", "breaks": "", "tables": "2", "min_meetings_per_participant": "1"},
        )  # fmt: skip
    login(organizer.username)
    assert "添加银企对接会谈" in client.get(f"/events/{event.id}").text
    page = client.post(
        f"/events/{event.id}/bank-pairs",
        data={"bank": "江苏银行溧阳支行", "company_id": str(company.id), "csrf_token": csrf()},
    )
    assert "已添加银企对接：江苏银行溧阳支行" in page.text and "溧阳银企测试有限公司" in page.text
    assert "金融机构" in client.get(f"/events/{event.id}").text
