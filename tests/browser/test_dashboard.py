"""The bureau's dashboard on the demo data: every chart drawn by the vendored ECharts, values on hover in 亿元,
no script errors (nothing inline, nothing from outside)."""

from __future__ import annotations


def test_the_dashboard_draws_its_charts_and_shows_values_on_hover(page, helpers) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    helpers.log_in(page, "ipo_zhou", helpers.passwords["bureau"])
    page.goto("/stats?year_from=2021&year_to=2025")
    page.wait_for_selector(".echart[data-drawn] svg")
    charts = page.locator(".echart").count()
    drawn = page.locator(".echart[data-drawn] svg").count()
    goal = page.locator(".echart.wide")
    box = goal.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.5)
    page.wait_for_timeout(300)
    tooltip = page.locator(".echart.wide div").filter(has_text="累计成交额：").last.inner_text()
    helpers.shot(page, "dashboard-demo")
    assert (charts >= 8, drawn == charts, errors) == (True, True, [])
    assert "亿元" in tooltip and "直线目标路径" in tooltip and "2025-" in tooltip
