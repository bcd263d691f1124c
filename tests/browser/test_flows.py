"""Journeys of issue 17: a request → an agreed meeting → its outcome → the bureau's contract; each role's 待办; a
compact schedule built with the searchable pickers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from matchmaker.services import request_meetings
from matchmaker.storage.models import RequestMeeting


def _as(browser: Browser, live_server: str, helpers: Any, username: str, role: str) -> Page:
    context = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    helpers.log_in(page, username, helpers.passwords[role])
    return page


def test_a_request_becomes_an_agreed_meeting_with_an_outcome_and_a_contract_to_register(
    browser: Browser, live_server: str, live_services: Any, helpers: Any
) -> None:
    need = "想在铁锂电芯里多装点电，又不想换成三元"  # its contact is not public
    sme = _as(browser, live_server, helpers, "sme_hengli", "sme")
    sme.goto("/offers/2/request")
    sme.fill("textarea[name=message]", "想了解能否提高铁锂电芯的能量密度，我们可以提供电芯样品。")
    sme.select_option("#f-need_id", label=need)
    sme.click("button:has-text('发出会谈请求')")

    researcher = _as(browser, live_server, helpers, "seu_wang", "researcher")
    expect(researcher.get_by_test_id("todo-answer").get_by_test_id("todo-count")).not_to_have_text("0")
    helpers.shot(researcher, "flows-1-researcher-workbench")
    researcher.goto("/requests/inbox")
    researcher.get_by_test_id("inbox-request").filter(has_text="铁锂电芯").locator(
        "button:has-text('接受会谈')"
    ).click()
    expect(researcher.locator(".flash-success")).to_have_text(
        "已接受会谈请求，已通知企业；请提出会谈时间和地点"
    )
    # the researcher now sees the company's private contact; the need page still hides it from others
    expect(researcher.get_by_test_id("company-contact")).not_to_have_text(re.compile("未公开|接受后可见"))
    request_url = researcher.url
    day = (request_meetings.local_now().date() + timedelta(days=2)).isoformat()
    researcher.fill("#f-date_1", day)
    researcher.fill("#f-time_1", "14:30")
    researcher.fill("#f-date_2", day)
    researcher.fill("#f-time_2", "09:00")
    researcher.fill("#f-place", "东南大学溧阳研究院 3 楼第二会议室")
    researcher.click("#propose-submit")
    expect(researcher.locator(".flash-success")).to_have_text("已提出会谈时间，已通知对方确认")
    helpers.shot(researcher, "flows-2-proposed")

    sme.goto("/")
    block = sme.get_by_test_id("todo-confirm")
    expect(block.get_by_test_id("todo-count")).to_have_text("1")
    helpers.shot(sme, "flows-3-sme-workbench")
    block.locator("li a").first.click()
    expect(sme.get_by_test_id("researcher-contact")).to_have_text(re.compile(r"\S"))
    sme.check(f"input[name=option][value='{day}T14:30']")
    sme.click("#confirm")
    expect(sme.get_by_test_id("agreed-time")).to_contain_text(f"{day} 14:30–15:30")
    with sme.expect_download() as download:
        sme.get_by_test_id("meeting-ics").click()
    body = download.value.path().read_text(encoding="utf-8")
    assert f"DTSTART;TZID=Asia/Shanghai:{day.replace('-', '')}T143000" in body
    helpers.shot(sme, "flows-4-agreed")

    # two days later: the meeting has taken place
    with live_services.transaction() as s:
        meeting = s.exec(select(RequestMeeting)).one()
        meeting.starts_at = datetime.now(UTC) - timedelta(hours=2)
        s.add(meeting)
    sme.goto(request_url)
    sme.check("input[name=outcome][value=签约]")
    sme.fill("#f-note", "签订专利实施许可合同，下月付首期款")
    sme.click("#outcome-form button[type=submit]")
    expect(sme.get_by_test_id("outcome")).to_have_text("签约")
    helpers.shot(sme, "flows-5-outcome")

    bureau = _as(browser, live_server, helpers, "ipo_zhou", "bureau")
    contracts = bureau.get_by_test_id("todo-contracts")
    expect(contracts.locator("li a").filter(has_text="溧阳恒锂")).to_have_count(1)
    contracts.locator("li a").filter(has_text="溧阳恒锂").click()
    expect(bureau.locator("#f-buyer")).to_have_value("溧阳恒锂新能源电池有限公司")
    helpers.shot(bureau, "flows-6-contract-prefilled")
    for p in (sme, researcher, bureau):
        p.context.close()


def test_each_role_opens_on_its_workbench(browser: Browser, live_server: str, helpers: Any) -> None:
    expected = {
        ("seu_wang", "researcher"): "todo-answer",
        ("sme_hengli", "sme"): "todo-confirm",
        ("org_sun", "organizer"): "todo-arrange",
        ("ipo_zhou", "bureau"): "todo-indicators",
        ("admin", "admin"): "todo-never",
    }
    for (username, role), block in expected.items():
        page = _as(browser, live_server, helpers, username, role)
        expect(page.locator("#workbench h2")).to_contain_text("待办")
        expect(page.get_by_test_id(block)).to_be_visible()
        assert page.get_by_test_id("figure").count() >= 2
        for link in page.locator("#workbench a").all()[:3]:
            assert link.get_attribute("href", timeout=1000).startswith("/")
        helpers.shot(page, f"flows-workbench-{role}")
        page.context.close()


def test_an_organizer_builds_an_event_with_the_pickers_and_gets_a_compact_schedule(
    browser: Browser, live_server: str, helpers: Any
) -> None:
    page = _as(browser, live_server, helpers, "org_qian", "organizer")
    page.goto("/events/new")
    page.fill("#f-name", "紧凑日程测试专场")
    page.fill("#f-event_date", (request_meetings.local_now().date() + timedelta(days=30)).isoformat())
    page.fill("#f-venue", "溧阳高新区科创服务中心")
    page.fill("#f-tables", "3")
    page.click("button:has-text('保存')")

    # the searchable pickers: type a few characters, pick from the list
    page.fill("#f-offer_id-search", "极片")
    page.locator(".picker-list li[role=option]").first.click()
    page.fill("#f-need_id-search", "恒锂 极片")
    expect(page.locator(".picker-list li[role=option]").first).to_contain_text("溧阳恒锂")
    helpers.shot(page, "flows-picker")
    page.keyboard.press("Enter")
    page.click("form.filters button:has-text('添加')")
    expect(page.locator("#pairs tbody tr")).to_have_count(1)

    page.click("#open-proposals")
    page.fill("input[name=min_score]", "0.3")
    page.click("button:has-text('刷新推荐')")
    helpers.shot(page, "flows-proposals-paged")
    boxes = page.locator("input[name=pick]:not([disabled])")
    for index in range(min(16, boxes.count())):
        boxes.nth(index).check()
    page.click("#add-proposals")

    page.click(".tabs a:has-text('日程')")
    page.click("#solve")
    expect(page.get_by_test_id("solve-status")).to_contain_text("状态：")
    expect(page.get_by_test_id("idle")).to_be_visible()
    longest = int(page.get_by_test_id("idle-max").inner_text())
    # nobody waits an hour and a half between meetings (the issue saw 100 minutes)
    assert longest < 90
    helpers.shot(page, "flows-compact-schedule")
    page.context.close()
