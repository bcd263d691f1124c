"""Reporting periods of the 定期通报: a month, a quarter or a year, as months ``yyyymm`` and dates.

The plan asks for indicators to be reported regularly (建立知识产权指标定期通报制度); the bureau reports by
month, quarter and year. Statistics are kept per registration month, so every period is a whole range of months.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from matchmaker.domain.errors import FieldError, ValidationFailed

KINDS = {"month": "月报", "quarter": "季报", "year": "年报"}
_RE = re.compile(r"^(\d{4})(?:-(Q[1-4]|\d{1,2}))?$")


@dataclass(frozen=True)
class Period:
    """``key``: 2025, 2025-Q3 or 2025-07; months inclusive."""

    kind: str
    key: str
    first_month: int
    last_month: int

    @property
    def date_from(self) -> date:
        return date(self.first_month // 100, self.first_month % 100, 1)

    @property
    def date_to(self) -> date:
        year, month = divmod(self.last_month, 100)
        return date(year, month, calendar.monthrange(year, month)[1])

    @property
    def label(self) -> str:
        year = self.first_month // 100
        if self.kind == "year":
            return f"{year}年"
        if self.kind == "quarter":
            return f"{year}年第{'一二三四'[int(self.key[-1]) - 1]}季度"
        return f"{year}年{self.first_month % 100}月"

    @property
    def years(self) -> tuple[int, int]:
        return self.first_month // 100, self.last_month // 100


def parse_period(text: str) -> Period:
    """「2025」 (a year), 「2025-Q3」 (a quarter), 「2025-07」 (a month); anything else is refused in Chinese."""
    squeezed = "".join(text.split()).upper()
    match = _RE.match(squeezed)
    if match is None or not 1990 <= int(match[1]) <= 2100:
        raise ValidationFailed(
            [
                FieldError(
                    "period", f"统计期「{text.strip()}」应写成 2025（年）、2025-Q3（季度）或 2025-07（月）"
                )
            ]
        )
    year, part = int(match[1]), match[2]
    if part is None:
        return Period("year", str(year), year * 100 + 1, year * 100 + 12)
    if part.startswith("Q"):
        quarter = int(part[1])
        return Period("quarter", f"{year}-Q{quarter}", year * 100 + quarter * 3 - 2, year * 100 + quarter * 3)
    month = int(part)
    if not 1 <= month <= 12:
        raise ValidationFailed([FieldError("period", f"月份「{part}」应在 1–12 之间")])
    return Period("month", f"{year}-{month:02d}", year * 100 + month, year * 100 + month)
