"""Numbers as people read them on the dashboard: 亿元 to two decimals, 万元, percentages, indicator units."""

from __future__ import annotations

from decimal import Decimal

from matchmaker.web import charts


def test_money_is_shown_in_yi_or_wan_with_two_decimals_and_separators() -> None:
    assert [
        charts.yi_text(1_479_703_450_050),
        charts.wan_text(12_345_000_00),
        charts.money_text(6_034_500_50),
        charts.money_text(3_648_000_000_00),
    ] == ["147.97", "1,234.50", "603.45 万元", "36.48 亿元"]


def test_indicator_figures_follow_their_unit_never_a_raw_quotient() -> None:
    assert [
        charts.quantity_text(Decimal("0.060345005"), "亿元"),
        charts.quantity_text(Decimal("79.25"), "%"),
        charts.quantity_text(Decimal(15260), "件"),
        charts.quantity_text(Decimal("2.5"), "人"),
        charts.quantity_text(None, "件"),
        charts.percent_text(Decimal("98.64689")),
    ] == ["0.06", "79.3", "15,260", "2.50", "未填报", "98.6%"]


def test_a_bar_chart_labels_amount_count_and_share_and_switches_to_wan_below_one_yi() -> None:
    small = charts.bars(["甲", "乙"], [300_000_00, 100_000_00], [3, 1], "按镇")
    big = charts.bars(["甲"], [250_000_000_00], [12], "按镇")
    assert (small["unit"], small["series"][0]["values"], small["series"][0]["labels"]) == (
        "万元",
        ["30.0000", "10.0000"],
        ["30.00 万元，3 份，占 75.0%", "10.00 万元，1 份，占 25.0%"],
    )
    assert (big["unit"], big["series"][0]["labels"]) == ("亿元", ["2.50 亿元，12 份，占 100.0%"])
