"""The event form's theme (主题领域 and 主题关键词): saved, shown on the event page and in the API, refused beside
the field when a field is not in the list."""

from __future__ import annotations

import re
from typing import Any

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


def test_an_organizer_sets_a_theme_on_the_form_and_sees_it_on_the_event_page_and_in_the_api(
    client: Any, login_as: Any, csrf: Any
) -> None:
    login_as("organizer")
    form = {
        **FORM,
        "theme_fields": ["动力电池", "新材料"],
        "theme_keywords": "电解液，隔膜",
        "csrf_token": csrf(),
    }
    created = client.post("/events/new", data=form, follow_redirects=False)
    event_id = int(re.search(r"/events/(\d+)/", created.headers["location"]).group(1))  # type: ignore[union-attr]

    page = client.get(f"/events/{event_id}").text
    edit = client.get(f"/events/{event_id}/edit").text
    data = client.get(f"/api/v1/events/{event_id}").json()

    assert created.status_code == 303
    assert "对接会主题：" in page and "领域 动力电池、新材料" in page and "关键词 电解液、隔膜" in page
    assert re.search(r'value="动力电池"\s+checked', edit) and not re.search(
        r'value="现代农业"\s+checked', edit
    )
    assert 'value="电解液、隔膜"' in edit
    assert (data["theme_fields"], data["theme_keywords"]) == (["动力电池", "新材料"], ["电解液", "隔膜"])


def test_a_theme_field_not_in_the_list_comes_back_beside_the_field_and_nothing_is_saved(
    client: Any, login_as: Any, csrf: Any
) -> None:
    login_as("organizer")
    form = {**FORM, "theme_fields": ["茶叶"], "theme_keywords": "电解液", "csrf_token": csrf()}
    response = client.post("/events/new", data=form)
    message = re.search(r'data-field="theme_fields">([^<]*)<', response.text)

    assert (response.status_code, message.group(1) if message else None) == (
        422,
        "主题领域「茶叶」不在产业领域列表中，请从列表中勾选。",
    )
    assert 'value="电解液"' in response.text and 'value="动力电池专场"' in response.text
    assert client.get("/api/v1/events").json()["items"] == []


def test_the_api_refuses_a_theme_field_not_in_the_list(client: Any, login_as: Any, csrf: Any) -> None:
    login_as("organizer")
    body = {**FORM, "theme_fields": ["茶叶"]}
    response = client.post("/api/v1/events", json=body, headers={"X-CSRF-Token": csrf()})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "theme_fields")
