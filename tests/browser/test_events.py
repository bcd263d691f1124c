"""Journey: the demo organizer builds a docking event from an accepted meeting request and the matcher's
proposals, schedules it, pins a meeting, re-solves, prints the agendas and hands out an .ics file."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, Page


def _as(browser: Browser, live_server: str, helpers: Any, username: str, role: str) -> Page:
    context = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    helpers.log_in(page, username, helpers.passwords[role])
    return page


def _flash(page: Page) -> str:
    return page.locator(".flash").first.inner_text()


def test_organizer_builds_schedules_pins_resolves_and_hands_out_an_ics(
    page: Page, browser: Browser, live_server: str, helpers: Any
) -> None:
    # A company asks for a meeting on 东南大学's offer and the researcher accepts.
    sme = _as(browser, live_server, helpers, "sme_hengli", "sme")
    sme.goto("/offers/2/request")
    sme.fill("textarea[name=message]", "想了解极片回弹补偿方法能否用在我们的产线上。")
    sme.click("button:has-text('发出会谈请求')")
    sme.context.close()
    researcher = _as(browser, live_server, helpers, "seu_wang", "researcher")
    researcher.goto("/requests/inbox")
    researcher.click("button:has-text('接受会谈')")
    researcher.context.close()

    helpers.log_in(page, "org_sun", helpers.passwords["organizer"])
    page.click("nav.mainnav a:has-text('对接会')")
    page.click("text=新建对接会")
    page.fill("#f-name", "2026 年春季动力电池专场对接会")
    page.fill("#f-event_date", "2026-04-16")
    page.fill("#f-venue", "溧阳高新区科创服务中心")
    page.fill("#f-tables", "4")
    page.click("button:has-text('保存')")
    assert _flash(page) == "已创建对接会「2026 年春季动力电池专场对接会」，下一步：添加候选配对"

    page.click("#import-requests")
    # The demo holds accepted requests of its own besides the one just accepted: all of them come in.
    imported = re.fullmatch(r"已导入 (\d+) 个已接受的会谈申请", _flash(page))
    assert imported is not None and int(imported.group(1)) >= 1
    assert page.get_by_text("溧阳恒锂新能源电池有限公司").count() >= 1
    page.click("#open-proposals")
    assert page.locator("h2 .tag").inner_text() == "匹配引擎"
    page.fill("input[name=min_score]", "0.6")
    page.click("button:has-text('刷新推荐')")
    boxes = page.locator("input[name=pick]:not([disabled])")
    chosen = min(12, boxes.count())
    for index in range(chosen):
        boxes.nth(index).check()
    page.click("#add-proposals")
    assert _flash(page) == f"已添加 {chosen} 个推荐配对"

    page.click(".tabs a:has-text('日程')")
    page.click("#solve")
    status = page.locator("[data-testid=solve-status]").inner_text()
    assert status.startswith("状态：")
    helpers.shot(page, "events-schedule-grid")

    first = page.locator("#grid td[data-meeting]").first
    meeting_id = first.get_attribute("data-meeting")
    first.locator("summary").click()
    first.locator("select[name=slot]").select_option(index=3)
    first.locator("button.move").click()
    assert _flash(page) == "已移动并固定该会谈，请重新排程安排其余会谈"
    page.click("#solve")
    pinned = page.locator(f"#grid td[data-meeting='{meeting_id}']")
    assert pinned.locator(".tag").inner_text() == "固定时段"
    assert page.locator("#grid tbody tr").nth(2).locator(f"td[data-meeting='{meeting_id}']").count() == 1
    helpers.shot(page, "events-schedule-pinned")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#publish")
    assert _flash(page).startswith("日程已发布，已通知")

    page.click(".tabs a:has-text('概况与参会人')")
    with page.expect_download() as download:
        page.locator("a:has-text('.ics')").first.click()
    body = download.value.path().read_text(encoding="utf-8")
    assert (
        body.count("BEGIN:VEVENT") >= 1,
        "DTSTART;TZID=Asia/Shanghai:20260416T" in body,
        "BEGIN:VTIMEZONE" in body,
    ) == (True, True, True)

    page.goto(page.url.rstrip("/") + "/agendas")
    page.emulate_media(media="print")
    helpers.shot(page, "events-agendas-print")
    assert page.locator(".agenda h2").count() >= 2
