"""Issue 5's journey in a real browser: an SME posts a need, searches by a plain description, asks for a meeting
on the best offer; a researcher of that offer's institution accepts; the SME sees it. A second company sees the
first one's need without its private contact and budget."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

#: Demo researchers by institution (seed/demo/users.json)
RESEARCHER_OF = {
    "东南大学溧阳研究院": "seu_wang",
    "重庆大学溧阳研究院": "cqu_liu",
    "南京航空航天大学天目湖校区": "nuaa_chen",
}
CONTACT = "蒋工 0519-86630001（浏览器测试）"


def log_out(page: Page) -> None:
    page.click("button:has-text('退出')")
    page.wait_for_url(re.compile(r"/login"))


def post_need(page: Page, title: str) -> str:
    page.click("nav.mainnav >> text=我的需求")
    page.click("text=发布技术需求")
    page.fill("#f-title", title)
    page.fill(
        "#f-description",
        "辊压后马上测厚度合格，第二天再测很多卷厚了三四个微米，想提前算出回弹量，直接在辊压机上补偿。",
    )
    page.fill("#f-expected_outcome", "在线补偿方案")
    page.select_option("#f-field", "动力电池")
    page.fill("#f-budget_min_wan", "30")
    page.fill("#f-budget_max_wan", "60")
    page.check("input[name=coop_modes][value=许可]")
    page.fill("#f-deadline", "2099-12-31")
    page.fill("#f-contact", CONTACT)
    page.click("button:has-text('发布需求')")
    expect(page.locator("h1")).to_have_text(title)
    return page.url


def test_an_sme_posts_searches_and_requests_a_meeting_that_a_researcher_accepts(page: Page, helpers) -> None:
    helpers.log_in(page, "sme_hengli", helpers.passwords["sme"])
    title = "辊压后极片第二天变厚（浏览器测试）"
    post_need(page, title)
    expect(page.get_by_test_id("need-contact")).to_contain_text(CONTACT)
    helpers.shot(page, "needs-1-posted")

    page.click("nav.mainnav >> text=检索成果")
    page.fill("#f-q", "极片辊压后放一晚上又变厚了，想提前算出反弹多少")
    page.click("button:has-text('检索')")
    first = page.get_by_test_id("search-hit").first
    expect(first.locator("mark").first).to_be_visible()
    offer_title = first.locator("h2").inner_text()
    institution = first.locator("p.muted").inner_text().split(" · ")[0]
    helpers.shot(page, "needs-2-search")
    assert offer_title == "一种锂离子电池极片辊压后厚度回弹的在线补偿方法"

    first.locator("h2 a").click()
    page.get_by_test_id("request-meeting").click()
    page.fill("#f-message", "我们的极片辊压后第二天变厚，想了解在线补偿方法能否用在现有辊压机上。")
    page.select_option("#f-need_id", label=title)
    page.click("button:has-text('发出会谈请求')")
    expect(page.get_by_test_id("request-state").first).to_have_text("待回复")
    helpers.shot(page, "needs-3-requested")
    log_out(page)

    helpers.log_in(page, RESEARCHER_OF[institution], helpers.passwords["researcher"])
    expect(page.get_by_test_id("unread")).to_be_visible()
    page.click("nav.mainnav >> text=收到的会谈请求")
    request = page.get_by_test_id("inbox-request").filter(has_text="能否用在现有辊压机上")
    expect(request.get_by_test_id("inbox-budget")).to_have_text("（未公开）")
    expect(request.get_by_test_id("inbox-contact")).to_have_text("（未公开）")
    request.locator("button:has-text('接受会谈')").click()
    expect(page.locator(".flash-success")).to_have_text("已接受会谈请求，已通知企业；请提出会谈时间和地点")
    helpers.shot(page, "needs-4-accepted")
    log_out(page)

    helpers.log_in(page, "sme_hengli", helpers.passwords["sme"])
    expect(page.get_by_test_id("unread")).to_be_visible()
    page.click("nav.mainnav >> text=我的会谈请求")
    row = page.get_by_test_id("sent-request").filter(has_text=offer_title)
    expect(row.get_by_test_id("request-state")).to_have_text("已接受")
    helpers.shot(page, "needs-5-sme-sees-accepted")


def test_a_second_company_cannot_see_the_first_ones_private_contact_or_budget(page: Page, helpers) -> None:
    helpers.log_in(page, "sme_hengli", helpers.passwords["sme"])
    need_url = post_need(page, "隔热垫厚度要两毫米以内（隐私测试）")
    log_out(page)

    helpers.log_in(page, "sme_xinchu", helpers.passwords["sme"])
    page.goto(need_url)
    expect(page.get_by_test_id("need-contact")).to_have_text("（未公开）")
    expect(page.get_by_test_id("need-budget")).to_have_text("（未公开）")
    page.click("nav.mainnav >> text=技术需求")
    row = page.locator("table.grid tbody tr").filter(has_text="隔热垫厚度要两毫米以内（隐私测试）")
    expect(row).to_contain_text("（未公开）")
    assert CONTACT not in page.content()
    assert "30–60 万元" not in page.content()
    helpers.shot(page, "needs-6-privacy")
