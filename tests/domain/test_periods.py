"""Reporting periods: a year, a quarter or a month, as months and dates."""

from __future__ import annotations

from datetime import date

import pytest

from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.periods import parse_period


def test_a_quarter_covers_its_three_months_to_the_last_day() -> None:
    period = parse_period(" 2024-q1 ")
    assert (period.key, period.first_month, period.last_month, period.date_to, period.label) == (
        "2024-Q1",
        202401,
        202403,
        date(2024, 3, 31),
        "2024年第一季度",
    )


def test_a_month_and_a_year() -> None:
    assert (parse_period("2024-2").date_to, parse_period("2025").label) == (date(2024, 2, 29), "2025年")


def test_an_unreadable_period_is_refused_in_chinese() -> None:
    with pytest.raises(ValidationFailed) as failed:
        parse_period("2025年第三季度")
    assert failed.value.by_field()["period"].startswith("统计期「2025年第三季度」应写成 2025（年）")
