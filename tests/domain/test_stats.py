"""Pure goal figures: share, pace, straight-line path, attainment — exact, with deliberate rounding directions."""

from datetime import date
from decimal import Decimal

import pytest

from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.stats import (
    attainment,
    cumulative,
    pace_needed_fen,
    parse_indicator_value,
    share_percent,
    straight_line_fen,
    years_remaining,
)

TARGET_FEN = 15_000_000_000 * 100


def test_share_is_rounded_down_so_the_goal_is_never_shown_met_early() -> None:
    assert share_percent(TARGET_FEN - 1, TARGET_FEN) == Decimal("99.99")


def test_share_of_the_sample_turnover_against_150_yi_is_013_percent() -> None:
    assert share_percent(2_018_800_361, TARGET_FEN) == Decimal("0.13")


def test_share_of_a_zero_target_is_zero() -> None:
    assert share_percent(5, 0) == Decimal("0.00")


def test_remaining_years_include_the_current_year() -> None:
    assert years_remaining(2021, 2025, date(2023, 6, 1)) == 3


def test_no_years_remain_after_the_period() -> None:
    assert years_remaining(2021, 2025, date(2026, 1, 1)) == 0


def test_before_the_period_every_year_remains() -> None:
    assert years_remaining(2026, 2030, date(2025, 3, 1)) == 5


def test_pace_is_rounded_up_to_the_fen() -> None:
    assert pace_needed_fen(0, 100, 3) == 34


def test_pace_is_zero_once_the_target_is_met() -> None:
    assert pace_needed_fen(200, 100, 2) == 0


def test_pace_is_none_when_no_year_remains() -> None:
    assert pace_needed_fen(0, 100, 0) is None


def test_straight_line_reaches_the_target_exactly_in_the_last_month() -> None:
    path = straight_line_fen(TARGET_FEN, 2021, 2025)
    assert (len(path), path[202101], path[202512]) == (60, TARGET_FEN // 60, TARGET_FEN)


def test_cumulative_carries_the_total_through_empty_months() -> None:
    assert cumulative({202101: 5, 202103: 7}, [202101, 202102, 202103]) == {202101: 5, 202102: 5, 202103: 12}


def test_cumulative_indicator_adds_the_years_of_the_period_only() -> None:
    values = {2020: Decimal(50), 2021: Decimal(30), 2022: Decimal("40.5")}
    result = attainment("cumulative", Decimal(200), values, 2021, 2025, date(2023, 1, 1))
    assert (result.actual, result.as_of_year, result.percent, result.finished) == (
        Decimal("70.5"),
        2022,
        Decimal("35.25"),
        False,
    )


def test_stock_indicator_reads_the_latest_year() -> None:
    values = {2021: Decimal(2000), 2024: Decimal(2900)}
    result = attainment("stock", Decimal(3100), values, 2021, 2025, date(2026, 2, 1))
    assert (result.actual, result.percent, result.finished) == (Decimal(2900), Decimal("93.54"), True)


def test_an_indicator_without_values_has_no_attainment() -> None:
    result = attainment("annual", Decimal(10), {}, 2026, 2030, date(2026, 2, 1))
    assert (result.actual, result.percent, result.finished) == (None, None, False)


def test_indicator_values_keep_their_exact_decimal() -> None:
    assert parse_indicator_value(" 1,234.5 ") == Decimal("1234.5")


@pytest.mark.parametrize("text", ["0.1+0.2", "-3", "1e3", "12件", "", "1.23456"])
def test_expressions_signs_units_and_excess_places_are_refused(text: str) -> None:
    with pytest.raises(ValidationFailed) as failed:
        parse_indicator_value(text)
    assert failed.value.errors[0].field == "value"
