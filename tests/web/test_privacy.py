"""The privacy rule, proved for every place a need is shown: another company (or a researcher) never sees a
need's private contact or budget; the owning company, organizers, the bureau and admins always do."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from matchmaker.services import accounts
from matchmaker.services import requests as meeting_requests

SECRET_CONTACT = "保密联系人 13912345678"
SECRET_BUDGET = "37–73 万元"
PUBLIC_CONTACT = "公开联系人 0519-80000000"


@pytest.fixture
def owner(make):  # type: ignore[no-untyped-def]
    return make.company(name="溧阳保密测试有限公司")


@pytest.fixture
def private_need(make, owner):  # type: ignore[no-untyped-def]
    return make.need(
        owner,
        title="隔膜热收缩太大需要改进",
        contact=SECRET_CONTACT,
        budget_min_wan=37,
        budget_max_wan=73,
        contact_public=False,
        budget_public=False,
    )


def viewer(login_as, make, kind: str, owner):  # type: ignore[no-untyped-def]
    if kind == "owner":
        return login_as("sme", company=owner)
    if kind == "other_company":
        return login_as("sme", company=make.company())
    return login_as(kind)


HIDDEN_FOR = ["other_company", "researcher"]
SHOWN_FOR = ["owner", "organizer", "bureau", "admin"]


def assert_hidden(text: str) -> None:
    assert (SECRET_CONTACT in text, SECRET_BUDGET in text, "13912345678" in text) == (False, False, False)


def assert_shown(text: str) -> None:
    assert (SECRET_CONTACT in text, SECRET_BUDGET in text) == (True, True)


def places(client, need_id: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every page and answer that shows needs to a reader, as text."""
    xlsx = client.get("/needs", params={"export": "xlsx"}).content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    return {
        "list": client.get("/needs").text,
        "list_filtered": client.get("/needs", params={"q": "隔膜"}).text,
        "detail": client.get(f"/needs/{need_id}").text,
        "csv": client.get("/needs", params={"export": "csv"}).content.decode("utf-8-sig"),
        "xlsx": "\n".join(
            " ".join("" if c is None else str(c) for c in row) for row in sheet.iter_rows(values_only=True)
        ),
        "api_list": client.get("/api/v1/needs").text,
        "api_detail": client.get(f"/api/v1/needs/{need_id}").text,
    }


@pytest.mark.parametrize("kind", HIDDEN_FOR)
def test_private_contact_and_budget_are_hidden_everywhere_from_outsiders(
    client, login_as, make, owner, private_need, kind: str
) -> None:
    viewer(login_as, make, kind, owner)
    shown = places(client, private_need.id)
    for name, text in shown.items():
        assert (name, "隔膜热收缩太大需要改进" in text) == (name, True)
        assert_hidden(text)
    body = client.get(f"/api/v1/needs/{private_need.id}").json()
    assert (
        body["contact"],
        body["budget_min_wan"],
        body["budget_max_wan"],
        body["budget_negotiable"],
        body["contact_hidden"],
        body["budget_hidden"],
    ) == (None, None, None, None, True, True)


@pytest.mark.parametrize("kind", SHOWN_FOR)
def test_owner_organizers_bureau_and_admins_see_everything(
    client, login_as, make, owner, private_need, kind: str
) -> None:
    viewer(login_as, make, kind, owner)
    for name, text in places(client, private_need.id).items():
        assert (name, SECRET_CONTACT in text, SECRET_BUDGET in text) == (name, True, True)


def test_public_switches_show_the_contact_and_budget_to_another_company(
    client, login_as, make, owner
) -> None:
    need = make.need(
        owner,
        title="隔膜公开需求",
        contact=PUBLIC_CONTACT,
        budget_min_wan=37,
        budget_max_wan=73,
        contact_public=True,
        budget_public=True,
    )
    login_as("sme", company=make.company())
    for name, text in places(client, need.id).items():
        assert (name, PUBLIC_CONTACT in text, SECRET_BUDGET in text) == (name, True, True)


def test_my_needs_shows_the_owner_everything_and_another_company_none_of_it(
    client, login_as, make, owner, private_need
) -> None:
    login_as("sme", company=owner)
    assert SECRET_BUDGET in client.get("/my/needs").text
    client.post(
        "/logout",
        data={"csrf_token": client.get("/").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]},
    )
    login_as("sme", company=make.company())
    mine = client.get("/my/needs").text
    assert ("隔膜热收缩太大需要改进" in mine, SECRET_BUDGET in mine) == (False, False)
    exported = client.get("/my/needs", params={"export": "csv"}).content.decode("utf-8-sig")
    assert_hidden(exported)


def test_the_researchers_inbox_shows_the_linked_need_masked(
    client, login_as, make, owner, private_need, services
) -> None:
    offer = make.offer("东南大学溧阳研究院")
    sme = make.user("sme", company=owner)
    with services.transaction() as s:
        meeting_requests.create_request(
            s, accounts.actor_for(sme), offer.id, message="想谈谈", need_id=private_need.id
        )
    login_as("researcher", institution="东南大学溧阳研究院")
    inbox = client.get("/requests/inbox").text
    exported = client.get("/requests/inbox", params={"export": "csv"}).content.decode("utf-8-sig")
    assert (
        "隔膜热收缩太大需要改进" in inbox,
        '<span data-testid="inbox-budget">（未公开）</span>' in inbox,
    ) == (True, True)
    assert_hidden(inbox)
    assert_hidden(exported)


def test_offer_search_never_carries_need_contacts(client, login_as, make, private_need) -> None:
    make.offer("东南大学溧阳研究院", title="一种隔膜热收缩抑制方法", abstract="降低隔膜热收缩。")
    login_as("sme", company=make.company())
    for text in (
        client.get("/search", params={"q": "隔膜热收缩"}).text,
        client.get("/api/v1/search/offers", params={"q": "隔膜热收缩 13912345678"}).text,
    ):
        assert_hidden(text)


def test_another_company_cannot_open_the_edit_form_which_would_show_the_stored_values(
    client, login_as, make, private_need
) -> None:
    login_as("sme", company=make.company())
    response = client.get(f"/needs/{private_need.id}/edit")
    assert response.status_code == 403
    assert_hidden(response.text)


def test_researchers_browsing_needs_never_see_private_contact_or_budget(client, login_as, make) -> None:
    company = make.company()
    make.need(
        company,
        title="私密需求样例",
        contact="保密联系人 13912345678",
        budget_min_wan=11,
        budget_max_wan=77,
        contact_public=False,
        budget_public=False,
    )
    login_as("researcher")
    page = client.get("/needs").text
    assert "私密需求样例" in page
    assert "13912345678" not in page
    assert "（未公开）" in page
