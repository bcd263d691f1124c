"""Suggestions on the need, offer and 我的需求 pages, organizers' marks, 匹配评价, and the matches API."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from matchmaker.matching.fusion import SIGNALS
from matchmaker.storage.models import Judgement

SEU = "东南大学溧阳研究院"


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    """A company with a private-budget need, a matching battery offer and an unrelated tea offer."""
    company = make.company(name="溧阳恒力电池有限公司")
    need = make.need(
        company, title="电池隔膜高温收缩", description="锂离子电池隔膜在高温下收缩，想找陶瓷涂覆工艺。"
    )
    good = make.offer(
        title="一种锂离子电池隔膜陶瓷涂覆方法", abstract="隔膜陶瓷涂覆，降低高温收缩。", price_wan=50
    )
    tea = make.offer(
        title="一种茶园茶小绿叶蝉诱捕装置", abstract="茶园害虫诱捕。", field="现代农业", price_wan=10
    )
    return company, need, good, tea


def offer_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-testid="match" data-need="\d+" data-offer="(\d+)"', html)]


def need_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-testid="match" data-need="(\d+)"', html)]


def test_the_sme_sees_ranked_offers_with_reasons_and_a_request_link_on_its_need(
    client, login_as, world
) -> None:
    company, need, good, tea = world
    login_as("sme", company=company)

    page = client.get(f"/needs/{need.id}")

    assert page.status_code == 200
    assert offer_ids(page.text)[0] == good.id
    assert set(offer_ids(page.text)) == {good.id, tea.id}
    assert "共同关键词：" in page.text and "语义相近度" in page.text and "同属动力电池领域" in page.text
    assert "报价 50 万元，在预算上限 80 万元以内" in page.text
    assert f'href="/offers/{good.id}/request?need={need.id}"' in page.text


def test_another_company_sees_the_suggestions_without_the_private_budget(client, login_as, world) -> None:
    _company, need, good, _tea = world
    login_as("sme", company=None)

    page = client.get(f"/needs/{need.id}")

    assert offer_ids(page.text)[0] == good.id
    assert "报价 50 万元，需求预算未公开" in page.text
    assert "80 万元" not in page.text
    assert "/request?need=" not in page.text


def test_my_needs_shows_the_best_three_offers_per_need(client, login_as, world, make) -> None:
    company, need, _good, _tea = world
    for n in range(3):
        make.offer(title=f"一种锂离子电池隔膜涂覆装置{n}")
    login_as("sme", company=company)

    page = client.get("/my/needs")

    assert len(offer_ids(page.text)) == 3
    assert f'href="/needs/{need.id}#matches">查看全部匹配的专利成果' in page.text


def test_the_owning_researcher_sees_the_needs_an_offer_could_serve_masked(client, login_as, world) -> None:
    _company, need, good, _tea = world
    login_as("researcher", institution=SEU)

    page = client.get(f"/offers/{good.id}")

    assert need_ids(page.text) == [need.id]
    assert "可能服务的技术需求" in page.text
    assert "预算 （未公开）" in page.text and "报价 50 万元，需求预算未公开" in page.text
    assert "13800000000" not in page.text


def test_an_sme_and_another_institution_do_not_see_the_needs_on_an_offer_page(
    client, login_as, world, make
) -> None:
    _company, _need, good, _tea = world
    login_as("sme")
    sme_page = client.get(f"/offers/{good.id}")
    client.cookies.clear()
    login_as("researcher", institution="南京航空航天大学天目湖校区")
    other_page = client.get(f"/offers/{good.id}")

    assert (sme_page.status_code, other_page.status_code) == (200, 200)
    assert 'id="matches"' not in sme_page.text and 'id="matches"' not in other_page.text


def test_a_withdrawn_offer_disappears_from_the_suggestions(client, login_as, world, csrf) -> None:
    company, need, good, tea = world
    login_as("researcher", institution=SEU)
    client.post(f"/offers/{good.id}/status", data={"status": "撤回", "csrf_token": csrf()})
    client.cookies.clear()
    login_as("sme", company=company)

    page = client.get(f"/needs/{need.id}")

    assert offer_ids(page.text) == [tea.id]


def test_an_organizer_marks_a_suggestion_and_sees_it_on_the_page_and_in_the_list(
    client, login_as, world, csrf, services
) -> None:
    _company, need, good, _tea = world
    organizer = login_as("organizer")
    token = csrf()

    marked = client.post(
        "/matches/judge",
        data={
            "need_id": need.id,
            "offer_id": good.id,
            "label": "好匹配",
            "back": f"/needs/{need.id}#matches",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    page = client.get(f"/needs/{need.id}")
    listing = client.get("/matches/judgements?label=好匹配")
    export = client.get("/matches/judgements?export=csv")

    with services.session() as session:
        stored = session.exec(select(Judgement)).one()
    assert (marked.status_code, marked.headers["location"]) == (303, f"/needs/{need.id}#matches")
    assert (stored.label, stored.grade, stored.source, stored.user_id) == (
        "好匹配",
        2,
        "organizer",
        organizer.id,
    )
    assert "已将该配对标记为「好匹配」" in page.text and "组织者评价：好匹配" in page.text
    assert "一种锂离子电池隔膜陶瓷涂覆方法" in listing.text and "共 1 条" in listing.text
    assert export.status_code == 200 and "电池隔膜高温收缩" in export.content.decode("utf-8-sig")


def test_a_bad_label_from_the_form_is_a_chinese_notice_and_nothing_is_stored(
    client, login_as, world, csrf, services
) -> None:
    _company, need, good, _tea = world
    login_as("organizer")

    page = client.post(
        "/matches/judge",
        data={
            "need_id": need.id,
            "offer_id": good.id,
            "label": "凑合",
            "back": "https://evil.example/",
            "csrf_token": csrf(),
        },
    )

    with services.session() as session:
        assert session.exec(select(Judgement)).all() == []
    assert (page.url.path, "评价只能是好匹配或不相关" in page.text) == ("/", True)


def test_judging_and_the_judgements_page_are_for_organizers_only(client, login_as, world, csrf) -> None:
    company, need, good, _tea = world
    login_as("sme", company=company)

    judged = client.post(
        "/matches/judge",
        data={"need_id": need.id, "offer_id": good.id, "label": "好匹配", "back": "/", "csrf_token": csrf()},
    )
    listing = client.get("/matches/judgements")

    assert (judged.status_code, listing.status_code) == (403, 403)


def test_the_need_matches_api_returns_scores_signals_and_reasons(client, login_as, world) -> None:
    company, need, good, tea = world
    login_as("sme", company=company)

    body = client.get(f"/api/v1/needs/{need.id}/matches?k=5").json()

    first = body["matches"][0]
    assert (body["need_id"], body["state"], [m["offer_id"] for m in body["matches"]]) == (
        need.id,
        "ready",
        [good.id, tea.id],
    )
    assert sorted(first) == [
        "confidence", "need_id", "offer", "offer_id", "reasons", "relative_score", "score", "signals", "strong"
    ]  # fmt: skip
    assert 0.0 <= first["confidence"] <= 1.0
    assert sorted(first["signals"]) == sorted(SIGNALS)
    assert all(sorted(r) == ["kind", "text", "values"] for r in first["reasons"])
    assert first["offer"]["url"] == f"/offers/{good.id}"


def test_the_offer_matches_api_masks_needs_and_refuses_smes(client, login_as, world) -> None:
    _company, need, good, _tea = world
    login_as("researcher", institution=SEU)
    body = client.get(f"/api/v1/offers/{good.id}/matches").json()
    client.cookies.clear()
    login_as("sme")
    refused = client.get(f"/api/v1/offers/{good.id}/matches")

    match = body["matches"][0]
    assert (match["need"]["id"], match["need"]["budget_hidden"], match["need"]["contact"]) == (
        need.id,
        True,
        None,
    )
    assert "price" not in match["signals"]
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["message"] == (
        "只有成果所属单位的科研人员、组织者、知识产权局和管理员可以查看成果匹配的需求"
    )


def test_the_judgements_api_stores_a_mark_and_refuses_others(client, login_as, world, csrf, make) -> None:
    company, need, good, _tea = world
    organizer = login_as("organizer")
    headers = {"x-csrf-token": csrf()}
    created = client.post(
        "/api/v1/judgements",
        json={"need_id": need.id, "offer_id": good.id, "label": "不相关"},
        headers=headers,
    )
    bad = client.post(
        "/api/v1/judgements", json={"need_id": "x", "offer_id": good.id, "label": "不相关"}, headers=headers
    )
    listed = client.get("/api/v1/judgements").json()
    client.cookies.clear()
    login_as("sme", company=company)
    refused = client.post(
        "/api/v1/judgements",
        json={"need_id": need.id, "offer_id": good.id, "label": "好匹配"},
        headers={"x-csrf-token": csrf()},
    )

    document = created.json()
    assert created.status_code == 201
    assert (document["label"], document["grade"], document["source"], document["user_id"]) == (
        "不相关",
        0,
        "organizer",
        organizer.id,
    )
    assert (bad.status_code, bad.json()["errors"]) == (
        422,
        [{"field": "need_id", "message": "需求必须是整数编号"}],
    )
    assert [(i["label"], i["username"]) for i in listed["items"]] == [("不相关", organizer.username)]
    assert refused.status_code == 403


def test_the_openapi_document_lists_the_match_operations(client, login_as) -> None:
    login_as("organizer")

    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert {p: sorted(ops) for p, ops in paths.items() if "matches" in p or "judgements" in p} == {
        "/api/v1/needs/{need_id}/matches": ["get"],
        "/api/v1/offers/{offer_id}/matches": ["get"],
        "/api/v1/judgements": ["get", "post"],
    }


def _strong_from(client, threshold: float) -> None:  # type: ignore[no-untyped-def]
    """Set the confidence from which a match is strong on the running matcher (the fitted value is data)."""
    from dataclasses import replace

    from matchmaker.services import match_index

    index = match_index.state(client.app.state.services).index
    index.weights = replace(index.weights, strong_confidence=threshold)


def test_strong_matches_come_first_and_weaker_ones_are_folded(client, login_as, world) -> None:
    company, need, good, tea = world
    login_as("sme", company=company)
    client.get(f"/needs/{need.id}")

    _strong_from(client, 1.01)  # nothing reaches it
    none_strong = client.get(f"/needs/{need.id}").text
    _strong_from(client, 0.0)  # everything does
    all_strong = client.get(f"/needs/{need.id}").text

    assert "暂无把握较大的匹配" in none_strong and "较弱匹配（2 项）" in none_strong
    assert offer_ids(none_strong) == [good.id, tea.id]  # still shown, under the fold
    assert "暂无把握较大的匹配" not in all_strong and "较弱匹配" not in all_strong
    assert re.search(r"把握较大 \d+%", all_strong)
