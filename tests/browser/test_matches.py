"""Journey: a demo SME opens its need's matches and reads the reasons; an organizer marks one 好匹配 and finds it
under 匹配评价. The live server uses the hashing embedder, so reasons are real but 语义相近度 is a stand-in."""

from __future__ import annotations

from playwright.sync_api import Page


def test_an_sme_reads_the_reasons_and_an_organizer_marks_a_good_match(
    page: Page, browser, live_server, helpers
) -> None:
    helpers.log_in(page, "sme_hengli", helpers.passwords["sme"])
    page.click("nav.mainnav a:has-text('我的需求')")
    page.wait_for_selector("[data-testid=my-need] [data-testid=match]")
    first_need = page.locator("[data-testid=my-need]").first
    assert first_need.locator("[data-testid=match]").count() == 3
    first_need.locator("h2 a").click()
    page.wait_for_url("**/needs/*")
    page.wait_for_selector("#matches [data-testid=match]")
    need_path = page.url.removeprefix(live_server)
    matches = page.locator("#matches [data-testid=match]")
    assert matches.count() == 10
    top = matches.first
    kinds = top.locator("[data-testid=match-reasons] span").evaluate_all(
        "els => els.map(e => e.dataset.kind)"
    )
    assert kinds[:2] == ["terms", "semantic"]
    assert top.locator("[data-kind=terms]").inner_text().startswith("共同关键词：")
    assert top.locator("[data-testid=match-request]").inner_text() == "申请会谈"
    offer_title = top.locator("strong").inner_text()
    helpers.shot(page, "matches-need-reasons")

    organizer = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 1366, "height": 900}
    )
    org_page = organizer.new_page()
    helpers.log_in(org_page, "org_sun", helpers.passwords["organizer"])
    org_page.goto(need_path)
    org_page.wait_for_selector("#matches [data-testid=match]")
    org_page.locator("#matches [data-testid=match]").first.locator("[data-testid=judge-好匹配]").click()
    org_page.wait_for_selector("[data-testid=match-mark]")
    assert org_page.locator(".flash").first.inner_text() == "已将该配对标记为「好匹配」"
    first = org_page.locator("#matches [data-testid=match]").first
    assert first.locator("[data-testid=match-mark]").inner_text() == "组织者评价：好匹配"
    org_page.click("nav.mainnav a:has-text('匹配评价')")
    org_page.select_option("select[name=label]", "好匹配")
    org_page.click("button:has-text('筛选')")
    org_page.wait_for_url("**label=*")
    rows = org_page.locator("#judgements tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td").nth(2).inner_text() == offer_title
    helpers.shot(org_page, "matches-judgements")
    organizer.close()
