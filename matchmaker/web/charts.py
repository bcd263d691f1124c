"""Chart specifications for ``static/js/charts.js`` (ECharts) and the number formats people read.

A chart is a plain dict the page puts in a ``data-chart`` attribute: categories, series of values as decimal
strings (plotted) and labels already formatted here (shown on hover), so a chart and the table beside it show the
same figures, formatted once, in Python. No script is written into the page (Content-Security-Policy
``script-src 'self'``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from matchmaker.domain.money import fen_to_yuan

YI = Decimal(100_000_000)
WAN = Decimal(10_000)


def _places(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def yi_text(amount_fen: int) -> str:
    """亿元 to two decimals with separators: ``147.97``."""
    return f"{_places(fen_to_yuan(amount_fen) / YI, 2):,.2f}"


def wan_text(amount_fen: int) -> str:
    """万元 to two decimals with separators: ``1,235.00``."""
    return f"{_places(fen_to_yuan(amount_fen) / WAN, 2):,.2f}"


def money_text(amount_fen: int) -> str:
    """The unit a person would choose: 亿元 from one 亿 up, else 万元."""
    if abs(amount_fen) >= 100 * YI:
        return f"{yi_text(amount_fen)} 亿元"
    return f"{wan_text(amount_fen)} 万元"


def percent_text(value: Decimal | float | None, places: int = 1) -> str:
    if value is None:
        return "—"
    return f"{_places(Decimal(str(value)), places)}%"


def quantity_text(value: Decimal | None, unit: str) -> str:
    """An indicator figure in its unit: 亿元 to two decimals, % to one, counts as whole numbers (with
    separators) unless the bureau entered a fraction. Never the raw quotient (``0.060345005``)."""
    if value is None:
        return "未填报"
    if unit == "亿元":
        return f"{_places(value, 2):,.2f}"
    if unit == "%":
        return f"{_places(value, 1)}"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{_places(value, 2):,.2f}"


def _plain(value: Decimal) -> str:
    return format(value, "f")


def line(
    categories: Sequence[str], series: Iterable[tuple[str, Sequence[int], bool]], title: str
) -> dict[str, Any]:
    """Lines over ``categories`` (amounts in 分, plotted in 亿元); each series is (name, values, dashed)."""
    return {
        "type": "line",
        "title": title,
        "unit": "亿元",
        "categories": list(categories),
        "series": [
            {
                "name": name,
                "dashed": dashed,
                "values": [_plain(_places(fen_to_yuan(v) / YI, 4)) for v in values],
                "labels": [f"{yi_text(v)} 亿元" for v in values],
            }
            for name, values, dashed in series
        ],
    }


def bars(
    labels: Sequence[str], amounts_fen: Sequence[int], counts: Sequence[int], title: str, noun: str = "份"
) -> dict[str, Any]:
    """Horizontal bars of amounts (in 亿元 when any reaches one 亿, else 万元), largest first on top."""
    in_yi = any(a >= 100 * YI for a in amounts_fen)
    scale, unit = (YI, "亿元") if in_yi else (WAN, "万元")
    total = sum(amounts_fen) or 1
    return {
        "type": "hbar",
        "title": title,
        "unit": unit,
        "categories": list(labels),
        "series": [
            {
                "name": f"金额（{unit}）",
                "values": [_plain(_places(fen_to_yuan(a) / scale, 4)) for a in amounts_fen],
                "labels": [
                    f"{money_text(a)}，{n:,} {noun}，占 {percent_text(Decimal(a) * 100 / total)}"
                    for a, n in zip(amounts_fen, counts)
                ],
            }
        ],
    }


def funnel(labels: Sequence[str], counts: Sequence[int], title: str) -> dict[str, Any]:
    first = counts[0] if counts and counts[0] else 1
    return {
        "type": "funnel",
        "title": title,
        "unit": "",
        "categories": list(labels),
        "series": [
            {
                "name": title,
                "values": [str(c) for c in counts],
                "labels": [f"{c:,}（为第一环节的 {percent_text(Decimal(c) * 100 / first)}）" for c in counts],
            }
        ],
    }


def progress(
    labels: Sequence[str], percents: Sequence[Decimal | None], texts: Sequence[str], title: str
) -> dict[str, Any]:
    """Completion of each indicator in % (bars stop at 150 so one over-achiever does not flatten the rest)."""
    return {
        "type": "hbar",
        "title": title,
        "unit": "%",
        "max": 150,
        "mark": 100,
        "categories": list(labels),
        "series": [
            {
                "name": "完成比例（%）",
                "values": [
                    _plain(_places(min(p, Decimal(150)), 1)) if p is not None else "0" for p in percents
                ],
                "labels": list(texts),
            }
        ],
    }
