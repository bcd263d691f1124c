"""Lost updates: every editable record carries a version; a save based on an older one is refused with 409 and
what changed, the form keeps the person's edit with the current version, and saving again applies it."""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from starlette.testclient import TestClient

from matchmaker.storage.models import Offer, User

SEU = "东南大学溧阳研究院"


def _csrf(client: TestClient, path: str) -> str:
    return client.get(path).text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _hidden_version(page: str) -> str:
    return page.split('name="version" value="', 1)[1].split('"', 1)[0]


def _offer_form(client: TestClient, offer_id: int) -> dict[str, Any]:
    page = client.get(f"/offers/{offer_id}/edit").text
    return {
        "csrf_token": _csrf(client, f"/offers/{offer_id}/edit"), "version": _hidden_version(page),
        "title": "一种测试用锂离子电池隔膜", "application_number": "", "patent_type": "发明", "legal_status": "有效",
        "ipc": "", "inventors": "", "institution": SEU, "transfer_modes": ["转让"], "price_wan": "50", "trl": "6",
        "field": "动力电池", "contact": "王工", "abstract": "本发明公开了一种隔膜。", "claims": "",
    }  # fmt: skip


def test_a_stale_offer_form_is_refused_with_what_changed_and_saving_again_reapplies_it(
    app: Any, client: TestClient, make: Any, login_as: Any, services: Any
) -> None:
    offer = make.offer(SEU)
    login_as("researcher", institution=SEU)
    mine = {**_offer_form(client, offer.id), "application_number": offer.application_number}
    theirs = {**mine, "title": "一种隔膜（同事改过的标题）"}
    assert client.post(f"/offers/{offer.id}/edit", data=theirs, follow_redirects=False).status_code == 303

    refused = client.post(f"/offers/{offer.id}/edit", data={**mine, "price_wan": "80"})
    with services.session() as s:
        stored = s.get(Offer, offer.id)
    assert (
        refused.status_code,
        "在您打开后已被" in refused.text,
        "当前「一种隔膜（同事改过的标题）」，您的「一种测试用锂离子电池隔膜」" in refused.text,
        _hidden_version(refused.text),
        stored.price_wan,
        stored.title,
    ) == (409, True, True, "2", 50, "一种隔膜（同事改过的标题）")

    again = client.post(
        f"/offers/{offer.id}/edit", data={**mine, "price_wan": "80", "version": "2"}, follow_redirects=False
    )
    with services.session() as s:
        stored = s.get(Offer, offer.id)
    assert (again.status_code, stored.price_wan, stored.version) == (303, 80, 3)


def test_the_api_shows_versions_and_refuses_a_stale_save_with_409(
    client: TestClient, make: Any, login_as: Any, csrf: Any
) -> None:
    company = make.company()
    offer, need = make.offer(SEU), make.need(company)
    login_as("admin")
    headers = {"X-CSRF-Token": csrf()}
    read = {
        "offer": client.get(f"/api/v1/offers/{offer.id}").json()["version"],
        "need": client.get(f"/api/v1/needs/{need.id}").json()["version"],
    }
    first = client.patch(f"/api/v1/offers/{offer.id}", json={"trl": 7, "version": 1}, headers=headers)
    stale = client.patch(f"/api/v1/offers/{offer.id}", json={"trl": 8, "version": 1}, headers=headers)
    need_first = client.patch(
        f"/api/v1/needs/{need.id}", json={"title": "新标题甲", "version": 1}, headers=headers
    )
    need_stale = client.patch(
        f"/api/v1/needs/{need.id}", json={"title": "新标题乙", "version": 1}, headers=headers
    )
    assert (read, first.json()["version"], stale.status_code, stale.json()["errors"][0]["field"]) == (
        {"offer": 1, "need": 1},
        2,
        409,
        "version",
    )
    assert (
        need_first.json()["version"],
        need_stale.status_code,
        client.get(f"/api/v1/needs/{need.id}").json()["title"],
    ) == (
        2,
        409,
        "新标题甲",
    )


def test_a_stale_event_save_through_the_api_is_refused(client: TestClient, login_as: Any, csrf: Any) -> None:
    login_as("organizer")
    headers = {"X-CSRF-Token": csrf()}
    event = client.post(
        "/api/v1/events",
        json={"name": "版本测试对接会", "event_date": "2030-05-20", "venue": "溧阳", "start_time": "14:00",
              "end_time": "17:00", "slot_minutes": 20, "tables": 4},
        headers=headers,
    ).json()  # fmt: skip
    first = client.patch(
        f"/api/v1/events/{event['id']}", json={"venue": "天目湖", "version": 1}, headers=headers
    )
    stale = client.patch(
        f"/api/v1/events/{event['id']}", json={"venue": "别桥", "version": 1}, headers=headers
    )
    assert (event["version"], first.json()["version"], stale.status_code) == (1, 2, 409)


def test_two_admins_editing_one_account(client: TestClient, make: Any, login_as: Any, services: Any) -> None:
    user = make.user("sme")
    login_as("admin")
    form = {"csrf_token": _csrf(client, f"/admin/users/{user.id}"), "display_name": "张三", "role": "sme",
            "is_active": "1", "version": "1"}  # fmt: skip
    first = client.post(f"/admin/users/{user.id}", data=form, follow_redirects=False)
    stale = client.post(f"/admin/users/{user.id}", data={**form, "display_name": "李四"})
    with services.session() as s:
        name = s.exec(select(User.display_name).where(User.id == user.id)).one()
    assert (first.status_code, stale.status_code, "姓名：当前「张三」，您的「李四」" in stale.text, name) == (
        303,
        409,
        True,
        "张三",
    )


def test_logging_in_does_not_count_as_an_edit_of_the_account(
    client: TestClient, make: Any, login: Any, services: Any
) -> None:
    user = make.user("sme")
    login(user.username)
    with services.session() as s:
        assert s.exec(select(User.version).where(User.id == user.id)).one() == 1
