"""检索成果 page and API: ranking, highlights, filters, helpful messages, and an index that follows edits."""

from __future__ import annotations

from matchmaker.storage.models import Offer, utcnow

SEU = "东南大学溧阳研究院"


def seed_offers(make) -> dict[str, Offer]:  # type: ignore[no-untyped-def]
    return {
        "separator": make.offer(
            SEU, title="一种锂离子电池用陶瓷涂覆隔膜", abstract="隔膜涂覆勃姆石，耐高温。", price_wan=80
        ),
        "gas": make.offer(
            SEU, title="一种抑制锂离子电池产气的电解液添加剂", abstract="减少高温存储产气。", price_wan=None
        ),
        "draft": make.offer(SEU, title="一种未发布的隔膜草稿", status="草稿"),
    }


def test_a_description_finds_the_relevant_offer_first_with_marked_terms(client, login_as, make) -> None:
    offers = seed_offers(make)
    login_as("sme", company=make.company())
    page = client.get("/search", params={"q": "我们的电芯高温放置后产气鼓胀"})
    first = page.text.split('data-testid="search-hit"', 2)[1]
    assert f'<a href="/offers/{offers["gas"].id}">' in first
    assert "<mark>产气</mark>" in first
    assert f'<a href="/offers/{offers["gas"].id}/request">申请会谈</a>' in first


def test_drafts_are_never_found(client, login_as, make) -> None:
    seed_offers(make)
    login_as("sme", company=make.company())
    body = client.get("/api/v1/search/offers", params={"q": "隔膜"}).json()
    assert [item["title"] for item in body["items"]] == ["一种锂离子电池用陶瓷涂覆隔膜"]


def test_an_empty_query_asks_for_words_and_nonsense_explains_itself(client, login_as, make) -> None:
    seed_offers(make)
    login_as("sme", company=make.company())
    empty = client.get("/api/v1/search/offers").json()
    nonsense = client.get("/api/v1/search/offers", params={"q": "的了吗"}).json()
    assert (
        empty["message"]
        == "请输入关键词，或用一两句话描述您遇到的技术问题，例如：“电芯放一周就鼓起来，想减少产气”。"
    )
    assert (nonsense["total"], nonsense["message"]) == (
        0,
        "没能从“的了吗”中识别出可检索的技术词语。请换用具体的材料、工艺、设备或产品名称，或直接描述遇到的问题。",
    )
    assert 'data-testid="search-message"' in client.get("/search", params={"q": "的了吗"}).text


def test_budget_filter_keeps_cheaper_and_negotiable_offers_and_junk_is_ignored_with_a_note(
    client, login_as, make
) -> None:
    seed_offers(make)
    login_as("sme", company=make.company())
    within = client.get("/api/v1/search/offers", params={"q": "锂离子电池", "budget": "50"}).json()
    junk = client.get("/api/v1/search/offers", params={"q": "锂离子电池", "budget": "很多"}).json()
    assert [item["title"] for item in within["items"]] == ["一种抑制锂离子电池产气的电解液添加剂"]
    assert (junk["total"], junk["notes"]) == (2, ["预算「很多」应为整数万元，已忽略该条件"])


def test_the_index_follows_an_offer_withdrawn_after_the_first_search(
    client, login_as, make, services
) -> None:
    offers = seed_offers(make)
    login_as("sme", company=make.company())
    assert client.get("/api/v1/search/offers", params={"q": "隔膜"}).json()["total"] == 1
    with services.transaction() as s:
        offer = s.get(Offer, offers["separator"].id)
        offer.status, offer.updated_at = "撤回", utcnow()
        s.add(offer)
    assert client.get("/api/v1/search/offers", params={"q": "隔膜"}).json()["total"] == 0


def test_the_index_is_saved_under_var_for_fast_restarts(client, login_as, make, services) -> None:
    seed_offers(make)
    login_as("sme", company=make.company())
    client.get("/search", params={"q": "隔膜"})
    assert (services.settings.var_dir / "search" / "embedded" / "state.pickle").exists()


def test_pages_carry_the_query_and_filters(client, login_as, make) -> None:
    for n in range(12):
        make.offer(SEU, title=f"一种电池隔膜改进结构{n}", abstract="隔膜。")
    login_as("sme", company=make.company())
    page = client.get("/search", params={"q": "隔膜", "field": "动力电池"})
    assert page.text.count('data-testid="search-hit"') == 10
    assert (
        '<a href="/search?q=%E9%9A%94%E8%86%9C&amp;field=%E5%8A%A8%E5%8A%9B%E7%94%B5%E6%B1%A0&amp;institution=&amp;patent_type=&amp;trl=&amp;budget=&amp;page=2">下一页</a>'
        in page.text
    )
    second = client.get("/search", params={"q": "隔膜", "field": "动力电池", "page": "2"})
    assert second.text.count('data-testid="search-hit"') == 2
