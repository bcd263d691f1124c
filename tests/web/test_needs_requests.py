"""Meeting requests through the pages: the SME asks from an offer, the researcher answers in the inbox."""

from __future__ import annotations

from sqlmodel import select

from matchmaker.services import accounts
from matchmaker.services import requests as meeting_requests
from matchmaker.storage.models import Judgement, MeetingRequest

SEU = "东南大学溧阳研究院"


def test_the_offer_page_links_an_sme_to_the_request_form(client, login_as, make) -> None:
    offer = make.offer(SEU)
    login_as("sme", company=make.company())
    page = client.get(f"/offers/{offer.id}")
    assert (
        f'<a class="button primary" href="/offers/{offer.id}/request" data-testid="request-meeting">申请会谈</a>'
        in page.text
    )


def test_an_sme_asks_for_a_meeting_about_one_of_its_needs(client, login_as, make, csrf, services) -> None:
    company = make.company()
    need = make.need(company)
    offer = make.offer(SEU)
    login_as("sme", company=company)
    form = client.get(f"/offers/{offer.id}/request")
    assert f'<option value="{need.id}" >{need.title}</option>' in form.text
    response = client.post(
        f"/offers/{offer.id}/request",
        data={"csrf_token": csrf(), "message": "想了解量产条件", "need_id": str(need.id)},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/my/requests")
    with services.session() as s:
        stored = s.exec(select(MeetingRequest)).one()
    assert (stored.offer_id, stored.need_id, stored.message, stored.state) == (
        offer.id,
        need.id,
        "想了解量产条件",
        "待回复",
    )
    assert (
        '<span class="status status-待回复" data-testid="request-state">待回复</span>'
        in client.get("/my/requests").text
    )


def test_an_empty_request_message_is_shown_beside_the_field(client, login_as, make, csrf, services) -> None:
    offer = make.offer(SEU)
    login_as("sme", company=make.company())
    response = client.post(f"/offers/{offer.id}/request", data={"csrf_token": csrf(), "message": ""})
    assert response.status_code == 422
    assert (
        '<div class="error" data-field="message">请简单说明想谈什么，例如遇到的问题和希望的合作方式</div>'
        in response.text
    )
    with services.session() as s:
        assert s.exec(select(MeetingRequest)).all() == []


def pending(services, make):  # type: ignore[no-untyped-def]
    company = make.company()
    sme = make.user("sme", company=company)
    need = make.need(company)
    offer = make.offer(SEU)
    with services.transaction() as s:
        made = meeting_requests.create_request(
            s, accounts.actor_for(sme), offer.id, message="想谈谈", need_id=need.id
        )
    return made, sme


def test_a_researcher_accepts_from_the_inbox_and_the_sme_is_told(
    client, login_as, make, csrf, services
) -> None:
    made, _ = pending(services, make)
    login_as("researcher", institution=SEU)
    assert 'data-testid="inbox-request"' in client.get("/requests/inbox").text
    response = client.post(
        f"/requests/{made.id}/answer",
        data={"csrf_token": csrf(), "decision": "accept"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with services.session() as s:
        assert s.get(MeetingRequest, made.id).state == "已接受"
        assert [(j.grade, j.label) for j in s.exec(select(Judgement))] == [(1, "意向")]


def test_a_decline_without_a_reason_is_refused_beside_the_reason(
    client, login_as, make, csrf, services
) -> None:
    made, _ = pending(services, make)
    login_as("researcher", institution=SEU)
    response = client.post(
        f"/requests/{made.id}/answer",
        data={"csrf_token": csrf(), "decision": "decline", "reason": "", "note": "写了说明"},
    )
    assert response.status_code == 422
    assert (
        '<span class="error" data-field="reason">请选择拒绝原因：技术不匹配、阶段太早、预算不符、已转让、其他</span>'
        in response.text
    )
    assert 'value="写了说明"' in response.text
    with services.session() as s:
        assert s.get(MeetingRequest, made.id).state == "待回复"


def test_a_researcher_of_another_institution_gets_403_and_sees_nothing(
    client, login_as, make, csrf, services
) -> None:
    made, _ = pending(services, make)
    login_as("researcher", institution="重庆大学溧阳研究院")
    assert 'data-testid="inbox-request"' not in client.get("/requests/inbox").text
    response = client.post(f"/requests/{made.id}/answer", data={"csrf_token": csrf(), "decision": "accept"})
    assert response.status_code == 403
