"""The mapping step in a real browser: a researcher uploads a list whose title column has an unknown header,
picks the column once, imports, and the next upload from the same office needs no confirmation."""

from __future__ import annotations

from matchmaker.settings import PROJECT_ROOT

FILE = PROJECT_ROOT / "tests" / "data" / "imports" / "offers_needs_mapping.csv"


def test_a_researcher_maps_an_unknown_column_once_and_the_profile_is_applied_next_time(page, helpers) -> None:
    helpers.log_in(page, "nuaa_chen", helpers.passwords["researcher"])
    page.click("nav.mainnav >> text=批量导入")
    page.set_input_files("#f-file", str(FILE))
    page.click("text=上传并预览")
    _through_the_job(page)

    page.wait_for_selector("[data-testid=mapping-form]")
    assert "没有找到以下必填字段对应的列：专利名称" in page.inner_text("[data-testid=mapping-form]")
    options = page.locator("#map-title option").all_inner_texts()
    assert "B 列「项目」，如：机器视觉焊缝检测方法、AGV激光导航定位方法、卷绕机张力控制方法" in options
    assert page.input_value("#map-application_number") == "编号"
    helpers.shot(page, "imports-mapping-step")

    page.select_option("#map-title", "项目")
    page.click("text=按此对应重新检查")
    assert _through_the_job(page).startswith(
        "已保存导入方案「南京航空航天大学天目湖校区」，下次同一来源的文件会自动按此对应。已检查 3 行"
    )
    page.wait_for_selector("[data-testid=valid-count]")
    assert page.inner_text("[data-testid=valid-count]") == "有效 3"

    page.click("[data-filter=error]")
    assert page.locator("tr[data-status]:visible").count() == 0
    page.click("[data-filter=all]")
    assert page.locator("tr[data-status]:visible").count() == 3

    page.click("text=确认导入（3 条有效）")
    page.wait_for_selector("[data-testid=job-result]", timeout=60_000)
    assert page.inner_text("[data-testid=job-result]") == "已从 offers_needs_mapping.csv 导入 3 条专利成果"

    page.click("nav.mainnav >> text=批量导入")
    page.set_input_files("#f-file", str(FILE))
    page.click("text=上传并预览")
    _through_the_job(page)
    page.wait_for_selector("[data-testid=profile]")
    assert page.inner_text("[data-testid=profile]") == "已按导入方案「南京航空航天大学天目湖校区」对应各列"
    assert page.inner_text("[data-testid=duplicate-count]") == "重复 3"
    assert page.locator("[data-testid=mapping-form]").count() == 0
    assert page.is_disabled("text=确认导入（0 条有效）")


def _through_the_job(page) -> str:  # type: ignore[no-untyped-def]
    """Previews run as jobs: wait for the job page to finish, read its result and follow it to the preview."""
    page.wait_for_selector("[data-testid=job-next]", timeout=60_000)
    result = page.inner_text("[data-testid=job-result]")
    page.click("[data-testid=job-next]")
    return result
