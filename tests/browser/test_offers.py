"""Issue 4's journey in a real browser: a demo researcher lists a patent by hand, then imports the office's
spreadsheet through the UI (preview: 32 有效, then 确认导入)."""

from __future__ import annotations

from matchmaker.settings import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "samples" / "tto_offers.xlsx"


def test_a_researcher_lists_a_patent_by_hand_then_imports_the_sample_spreadsheet(page, helpers) -> None:
    helpers.log_in(page, "seu_wang", helpers.passwords["researcher"])

    page.click("nav.mainnav >> text=我的成果")
    page.click("text=登记专利成果")
    page.fill("#f-title", "一种钠离子电池硬碳负极的低温预锂化方法")
    page.fill("#f-application_number", "CN 202410123456.0")
    page.fill("#f-price_wan", "abc")
    page.click("button[value=发布]")
    assert (
        page.inner_text('[data-field="price_wan"]')
        == "意向价格 abc 无法识别，请填写整数万元、区间（如 40-60）或“面议”"
    )
    assert page.input_value("#f-title") == "一种钠离子电池硬碳负极的低温预锂化方法"
    helpers.shot(page, "offers-form-error")

    page.fill("#f-price_wan", "60")
    page.select_option("#f-trl", "4")
    page.select_option("#f-field", "动力电池")
    page.check("input[name=transfer_modes][value=转让]")
    page.check("input[name=transfer_modes][value=作价入股]")
    page.fill("#f-ipc", "H01M 4/587\nH01M 10/054")
    page.fill("#f-inventors", "王平、李强")
    page.click("button[value=发布]")
    assert (
        page.inner_text("[role=status]") == "已登记专利成果「一种钠离子电池硬碳负极的低温预锂化方法」（发布）"
    )
    assert page.inner_text("[data-testid=institution]") == "东南大学溧阳研究院"
    assert page.inner_text("[data-testid=status]") == "发布"
    helpers.shot(page, "offers-detail")

    page.click("nav.mainnav >> text=批量导入")
    page.set_input_files("#f-file", str(SAMPLE))
    page.click("text=上传并预览")
    # The preview runs as a job: its page reloads itself until the worker is done, then leads to the preview.
    page.wait_for_selector("[data-testid=job-next]", timeout=60_000)
    assert page.inner_text("[data-testid=job-state]") == "已完成"
    assert "已读取行数 40" in page.inner_text("[data-testid=job-progress]").replace("\t", " ")
    helpers.shot(page, "offers-import-job")
    page.click("[data-testid=job-next]")
    page.wait_for_selector("[data-testid=valid-count]")
    assert page.inner_text("[data-testid=valid-count]") == "有效 32"
    assert page.inner_text("[data-testid=error-count]") == "错误 6"
    assert page.inner_text("[data-testid=duplicate-count]") == "重复 2"
    assert page.inner_text("tr[data-row='9'] .error") == "申请号 201920851901.2 的校验位应为 X"
    helpers.shot(page, "offers-import-preview")

    page.click("text=确认导入（32 条有效）")
    page.wait_for_selector("[data-testid=job-result]", timeout=60_000)
    assert page.inner_text("[data-testid=job-result]") == "已从 tto_offers.xlsx 导入 32 条专利成果"
    progress = page.inner_text("[data-testid=job-progress]").replace("\t", " ")
    assert "已写入行数 32" in progress and "已计算向量的文本" in progress
    page.reload()  # the result lives in the database, not in the page
    assert page.inner_text("[data-testid=job-state]") == "已完成"
    page.click("[data-testid=job-next]")
    assert page.inner_text("[data-testid=total]") == "共 59 项"
    helpers.shot(page, "offers-mine-after-import")
