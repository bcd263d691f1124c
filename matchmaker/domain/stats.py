"""Pure figures for the bureau's goals: share done, pace needed, the straight-line path, attainment.

Everything is exact: amounts are integer 分 or ``Decimal`` 元, shares are ``Decimal`` percentages rounded for
display only at the end. A pace is rounded *up* to the 分 — paying one 分 less a year would miss the goal —
while a share is rounded *down*, so the page never claims 100 % before the goal is really met.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from matchmaker.domain.errors import FieldError, ValidationFailed

YUAN_PER_YI = Decimal(100_000_000)
FEN_PER_YI = 10_000_000_000
_PERCENT_PLACES = Decimal("0.01")
_VALUE_RE = re.compile(r"^\d{1,12}(\.\d{1,4})?$")

#: How an indicator's yearly values make its actual figure (``seed/indicators.json`` ``kind``).
KINDS: Mapping[str, str] = {
    "cumulative": "规划期累计",
    "annual": "年度值",
    "stock": "期末存量",
    "level": "水平值",
}


def share_percent(done: Decimal | int, target: Decimal | int) -> Decimal:
    """``done / target`` in per cent, two decimals, rounded down; 0 for a zero target."""
    if not target:
        return Decimal("0.00")
    return (Decimal(done) * 100 / Decimal(target)).quantize(_PERCENT_PLACES, rounding=ROUND_DOWN)


def years_remaining(start_year: int, end_year: int, today: date) -> int:
    """Plan years still open on ``today``, the current year included (its turnover is not in yet)."""
    if today.year > end_year:
        return 0
    return end_year - max(today.year, start_year) + 1


def pace_needed_fen(done_fen: int, target_fen: int, remaining_years: int) -> int | None:
    """Turnover per remaining year (integer 分, rounded up) that still reaches the target; ``None`` once the
    period is over, 0 when the target is already met."""
    if remaining_years <= 0:
        return None
    missing = max(target_fen - done_fen, 0)
    return -(-missing // remaining_years)


def month_keys(start_year: int, end_year: int) -> list[int]:
    """Every month of the period as ``yyyymm`` (202101 … 202512)."""
    return [year * 100 + month for year in range(start_year, end_year + 1) for month in range(1, 13)]


def straight_line_fen(target_fen: int, start_year: int, end_year: int) -> dict[int, int]:
    """The target path: by the end of month *k* of *n*, ``target × k / n`` (floor to the 分), so the last
    month of the period reaches the target exactly."""
    months = month_keys(start_year, end_year)
    total = len(months)
    return {key: target_fen * (i + 1) // total for i, key in enumerate(months)}


def cumulative(monthly_fen: Mapping[int, int], months: Iterable[int]) -> dict[int, int]:
    """Running total over ``months`` (in order) of the per-month amounts; missing months add nothing."""
    running = 0
    out: dict[int, int] = {}
    for key in months:
        running += monthly_fen.get(key, 0)
        out[key] = running
    return out


def parse_indicator_value(text: str) -> Decimal:
    """A yearly actual value as the bureau types it: a plain non-negative decimal (at most four places).

    Expressions such as 「0.1+0.2」, signs, exponents and units are refused: the value is stored as text
    exactly as accepted, so what is shown is what was entered.
    """
    squeezed = "".join(text.split()).replace(",", "").replace("，", "")
    if not squeezed:
        raise ValidationFailed([FieldError("value", "请填写实际值")])
    if not _VALUE_RE.match(squeezed):
        raise ValidationFailed(
            [
                FieldError(
                    "value",
                    f"实际值「{text.strip()}」应为不小于 0 的数字（最多四位小数），不能是算式或带单位",
                )
            ]
        )
    return Decimal(squeezed)


@dataclass(frozen=True)
class Attainment:
    """An indicator's actual figure against its target for a plan period."""

    actual: Decimal | None
    #: the year the actual figure stands for (the latest entered; the last year of a cumulative sum)
    as_of_year: int | None
    percent: Decimal | None
    finished: bool


def attainment(
    kind: str,
    target: Decimal,
    values_by_year: Mapping[int, Decimal],
    start_year: int,
    end_year: int,
    today: date,
) -> Attainment:
    """Cumulative indicators add the period's yearly values; annual, stock and level indicators read the
    latest year entered within the period (a finished period: its final value). Years outside the period
    never count, so a 十五五 plan does not inherit 十四五 figures."""
    in_period = {y: v for y, v in values_by_year.items() if start_year <= y <= end_year}
    finished = today.year > end_year
    if not in_period:
        return Attainment(None, None, None, finished)
    latest = max(in_period)
    actual = sum(in_period.values(), Decimal(0)) if kind == "cumulative" else in_period[latest]
    return Attainment(actual, latest, share_percent(actual, target), finished)
