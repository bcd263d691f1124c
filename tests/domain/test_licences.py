"""Open-licence terms: complete, exact, and only on a published, valid patent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.licences import (
    check_declarable,
    check_takeable,
    licence_end,
    parse_rate,
    validate_terms,
)


def test_lump_sum_terms_are_exact_and_described_in_one_line() -> None:
    terms = validate_terms(
        {"fee_model": "一次性付费", "lump_sum_yuan": "12万", "period_years": "5", "scope": "中国境内"}
    )
    assert (terms.lump_sum_yuan, terms.royalty_bp) == (Decimal("120000.00"), None)
    assert terms.describe() == "一次性付费 120,000.00 元，许可期限 5 年，中国境内"


def test_a_royalty_rate_is_kept_in_basis_points_and_never_rounded() -> None:
    assert (parse_rate("3.5"), parse_rate("３．５％"), parse_rate("12")) == (350, 350, 1200)
    with pytest.raises(ValueError):
        parse_rate("3.125")


def test_incomplete_terms_name_every_missing_part() -> None:
    with pytest.raises(ValidationFailed) as failed:
        validate_terms({"fee_model": "按销售额提成", "royalty_rate": "", "period_years": "2.5", "scope": ""})
    assert set(failed.value.by_field()) == {"royalty_rate", "period_years", "scope"}


def test_only_a_published_valid_patent_can_be_declared() -> None:
    with pytest.raises(ValidationFailed) as failed:
        check_declarable(status="草稿", legal_status="审中")
    assert [e.message for e in failed.value.errors] == [
        "成果状态为「草稿」，只有已发布的成果可以声明开放许可",
        "专利法律状态为「审中」，只有授权有效的专利可以声明开放许可",
    ]


def test_a_withdrawn_offer_or_declaration_cannot_be_taken() -> None:
    with pytest.raises(ValidationFailed) as not_open:
        check_takeable(status="发布", declared=False, withdrawn=False)
    assert not_open.value.by_field()["offer"].startswith("该成果没有声明开放许可")
    with pytest.raises(ValidationFailed) as withdrawn:
        check_takeable(status="撤回", declared=True, withdrawn=False)
    assert "已撤回或已转化" in withdrawn.value.by_field()["offer"]


def test_a_licence_of_five_years_ends_the_day_before_the_fifth_anniversary() -> None:
    assert (licence_end(date(2026, 3, 1), 5), licence_end(date(2024, 2, 29), 1)) == (
        date(2031, 2, 28),
        date(2025, 2, 27),
    )


def test_the_matchers_open_licence_reason_is_data_worded_in_one_place() -> None:
    from matchmaker.matching.wording import reason_json
    from matchmaker.services.licences import reason_for
    from matchmaker.storage.models import OpenLicence

    row = OpenLicence(offer_id=1, fee_model="按销售额提成", royalty_bp=350, period_years=3, scope="中国境内")
    assert reason_json(reason_for(row)) == {
        "kind": "open_licence",
        "values": {
            "fee_model": "按销售额提成",
            "lump_sum_yuan": None,
            "royalty_percent": "3.5",
            "period_years": 3,
            "scope": "中国境内",
        },
        "text": "开放许可：按销售额 3.5% 提成，许可期限 3 年，中国境内，可直接取得许可",
    }
