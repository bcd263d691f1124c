"""The plan's other conversion levers in the browser: a pledge register imported moves the 11亿元 indicator; an
SME takes an open licence and the bureau registers the contract; a quarterly bulletin equals the dashboard."""

from __future__ import annotations

from decimal import Decimal

from matchmaker.settings import PROJECT_ROOT


def _pledge_percent(page) -> Decimal:  # type: ignore[no-untyped-def]
    page.goto("/indicators")
    return Decimal(page.inner_text('[data-testid="percent-ip_pledge_financing"]').rstrip("%"))


def test_the_bureau_imports_a_pledge_register_and_the_pledge_indicator_moves(page, helpers) -> None:
    helpers.log_in(page, "ipo_zhou", helpers.passwords["bureau"])
    before = _pledge_percent(page)
    page.goto("/pledges")
    page.click("text=导入质押登记表")
    page.set_input_files("#f-file", str(PROJECT_ROOT / "samples" / "pledge_register.xlsx"))
    page.click("main form button[type=submit]")
    page.wait_for_selector('[data-testid="valid-count"]')
    valid = page.inner_text('[data-testid="valid-count"]')
    helpers.shot(page, "pledges-import-preview")
    page.click("text=确认导入 16 项质押登记")
    notice = page.inner_text(".flash-success")
    helpers.shot(page, "pledges-register")
    after = _pledge_percent(page)
    helpers.shot(page, "pledges-indicator")
    assert (valid, notice) == (
        "16",
        "已导入 16 项质押登记，担保债权数额合计 178,040,000.00 元；1 行重复、4 行有误，未导入",
    )
    assert after > before


def test_an_sme_takes_an_open_licence_and_the_bureau_registers_the_contract(page, helpers) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    helpers.log_in(page, "sme_hengli", helpers.passwords["sme"])
    page.goto("/offers?open_licence=1")
    page.click("text=一种基于电化学阻抗谱的锂电池健康状态快速估算方法")
    terms = page.inner_text('#open-licence [data-testid="licence-terms"]')
    helpers.shot(page, "licence-offer")
    page.click('[data-testid="take-licence"]')
    page.wait_for_selector('[data-testid="licence-contract"]')
    helpers.shot(page, "licence-taken")
    licence_url = page.url

    page.context.clear_cookies()
    helpers.log_in(page, "ipo_zhou", helpers.passwords["bureau"])
    page.goto(licence_url)
    page.click("text=登记技术许可合同")
    page.fill("#f-registration_number", "2026320481009902")
    page.fill("#f-registered_on", page.input_value("#f-signed_on"))
    helpers.shot(page, "licence-contract-form")
    page.click("main form button[type=submit]")
    page.wait_for_selector('[data-testid="amount"]')
    amount = page.inner_text('[data-testid="amount"]')
    page.goto(licence_url)
    state = page.inner_text('[data-testid="licence-contract"]')
    helpers.shot(page, "licence-registered")
    assert terms.startswith("许可条件：一次性付费 200,000.00 元，许可期限 5 年")
    assert (amount, state.startswith("已登记")) == ("200,000.00 元", True)


def test_a_quarterly_bulletin_matches_the_dashboard(page, helpers) -> None:
    helpers.log_in(page, "ipo_zhou", helpers.passwords["bureau"])
    page.goto("/bulletins")
    page.fill("#f-period", "2026-Q2")
    page.click("main form button[type=submit]")
    page.click('[data-testid="issue"]')
    page.wait_for_selector(".flash-success")
    turnover = page.inner_text('[data-testid="bulletin-turnover"]')
    pledges = page.inner_text('[data-testid="bulletin-pledges"]')
    page.wait_for_load_state("networkidle")  # the charts are PNGs drawn on request
    helpers.shot(page, "bulletin-issued")
    page.click("text=在统计看板中查看")
    board_turnover = page.inner_text('[data-testid="filtered-yuan"]')
    board_pledges = page.inner_text('[data-testid="pledge-yuan"]')
    helpers.shot(page, "bulletin-dashboard")
    assert turnover == f"{board_turnover} 元" and pledges == f"{board_pledges} 元"
    assert Decimal(board_turnover.replace(",", "")) > 0
