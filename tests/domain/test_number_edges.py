"""Numbers at the edges: full-width digits are read, other scripts' digits, superscripts and spaces between digits
are refused with a reason, never silently converted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.money import AmountError, parse_price_wan, parse_wan_yuan, parse_yuan
from matchmaker.domain.needs import validate_need


@pytest.mark.parametrize("parse", [parse_yuan, parse_wan_yuan, parse_price_wan])
@pytest.mark.parametrize("text", ["4 2", "4\u30002", "٣", "१२", "²", "1²"])
def test_odd_digits_are_refused_by_every_amount_parser(parse, text: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AmountError):
        parse(text)


def test_full_width_digits_are_still_read() -> None:
    assert (parse_yuan("１２３.５万").yuan, parse_price_wan("５０万").price_wan) == (
        Decimal("1235000.00"),
        50,
    )


@pytest.mark.parametrize("text", ["4 2", "٣"])
def test_a_need_budget_with_odd_digits_is_a_field_error(text: str) -> None:
    raw = {
        "title": "隔膜问题", "description": "电芯鼓胀", "field": "动力电池", "budget_min_wan": text,
        "budget_max_wan": "80", "coop_modes": ["转让"], "contact": "李工",
    }  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        validate_need(raw, fields=["动力电池"], today=date(2026, 1, 1))
    assert [e.field for e in refused.value.errors] == ["budget_min_wan"]
