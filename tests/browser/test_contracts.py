"""The bureau records a contract in the browser and watches the turnover on the dashboard move."""

from __future__ import annotations

from decimal import Decimal


def _turnover(page) -> Decimal:  # type: ignore[no-untyped-def]
    page.goto("/stats")
    return Decimal(page.inner_text('[data-testid="turnover-yuan"]').replace(",", ""))


def test_the_bureau_records_a_contract_and_the_dashboard_turnover_changes(page, helpers) -> None:
    helpers.log_in(page, "ipo_zhou", helpers.passwords["bureau"])
    before = _turnover(page)
    page.hover("nav.mainnav button:has-text('合同与统计')")
    page.click("nav.mainnav >> text=技术合同")
    page.click("text=登记合同")
    page.fill("#f-registration_number", "2025320481009901")
    page.fill("#f-contract_type", "技术转让（专利权）")
    page.fill("#f-title", "配电终端故障录波专利权转让")
    page.fill("#f-seller", "东大溧阳研究院")
    page.fill("#f-buyer", "江苏溧电智能电气有限公司")
    page.fill("#f-buyer_credit_code", "91320481874981743J")
    page.fill("#f-amount_yuan", "123.5万")
    page.fill("#f-signed_on", "2025-06-02")
    page.fill("#f-registered_on", "2025-06-10")
    page.select_option("#f-field", "电子信息")
    page.select_option("#f-town", "溧阳经济开发区")
    page.click("main form button[type=submit]")
    page.wait_for_selector('[data-testid="amount"]')
    notice = page.inner_text(".flash-success")
    after = _turnover(page)
    helpers.shot(page, "contracts-dashboard")
    assert (notice, after - before) == (
        "已登记合同 2025320481009901；成交额读作：123.5万 → 1,235,000.00 元",
        Decimal("1235000.00"),
    )
