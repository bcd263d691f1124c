"""Pledge registrations: numbers checked, amounts exact, the life 登记 → 变更 → 注销 kept in order."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.identifiers import credit_code_check_char, org_code_check_char
from matchmaker.domain.pledges import (
    PledgedPatent,
    check_transition,
    parse_patents,
    pledgee_kind_of,
    validate_pledge,
)

TOWNS = ("溧城街道", "昆仑街道")
FIELDS = ("动力电池", "新能源")


def credit_code(n: int) -> str:
    org8 = f"{72000000 + n:08d}"
    first17 = "91320481" + org8 + org_code_check_char(org8)
    return first17 + credit_code_check_char(first17)


def raw(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "registration_number": "Y2024 3200 00123",
        "pledgor": "溧阳恒测新能源有限公司",
        "pledgor_credit_code": credit_code(1),
        "pledgee": "江苏银行溧阳支行",
        "patents": "201710601862.3 H01M 10/0525；ZL202120345678.9",
        "amount_yuan": "5,000,000.00",
        "registered_on": "2024-03-20",
        "debt_from": "2024-03-20",
        "debt_to": "2025-03-19",
        "field": "动力电池",
        "town": "昆仑街道",
    }
    values.update(overrides)
    return values


def errors_of(**overrides: Any) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as failed:
        validate_pledge(raw(**overrides), towns=TOWNS, fields=FIELDS)
    return failed.value.by_field()


def test_a_valid_registration_is_read_exactly() -> None:
    draft = validate_pledge(raw(), towns=TOWNS, fields=FIELDS)
    assert draft.registration_number == "Y2024320000123"
    assert draft.amount_yuan == Decimal("5000000.00")
    assert draft.pledgee_kind == "银行"
    assert draft.status == "登记"
    assert draft.patents == (
        PledgedPatent("201710601862.3", "H01M 10/0525"),
        PledgedPatent("202120345678.9", None),
    )
    assert (draft.registered_on, draft.debt_to) == (date(2024, 3, 20), date(2025, 3, 19))


def test_a_patent_number_with_a_wrong_check_character_is_refused_with_the_expected_one() -> None:
    assert errors_of(patents="201710601862.4")["patents"] == "申请号 201710601862.4 的校验位应为 3"


def test_an_amount_finer_than_a_fen_is_refused_not_rounded() -> None:
    message = errors_of(amount_yuan="1000.005")["amount_yuan"]
    assert message.startswith("担保债权数额（元）有误：金额 1000.005 精确到了分以下")


def test_an_amount_in_wan_yuan_is_exact() -> None:
    draft = validate_pledge(raw(amount_yuan="", amount_wan="123.45"), towns=TOWNS, fields=FIELDS)
    assert draft.amount_yuan == Decimal("1234500.00")


def test_a_release_dated_before_the_registration_is_refused() -> None:
    message = errors_of(status="注销", cancelled_on="2024-03-01")["cancelled_on"]
    assert message == "注销日期 2024-03-01 早于登记日期 2024-03-20，不能先注销后登记"


def test_an_imported_release_keeps_its_status_and_date() -> None:
    draft = validate_pledge(
        raw(status="注销", cancelled_on="2025-03-19"),
        towns=TOWNS,
        fields=FIELDS,
        statuses=("登记", "变更", "注销"),
    )
    assert (draft.status, draft.cancelled_on) == ("注销", date(2025, 3, 19))


def test_a_form_may_only_record_a_new_registration() -> None:
    assert errors_of(status="注销", cancelled_on="2025-01-01")["status"] == "新的质押登记状态应为「登记」"


def test_a_bad_credit_code_and_an_unknown_town_are_reported_together() -> None:
    errors = errors_of(pledgor_credit_code="91320481MA1XXXXXX1", town="火星镇")
    assert set(errors) == {"pledgor_credit_code", "town"}
    assert errors["town"] == "所在镇（街道）「火星镇」不在溧阳的镇街园区列表中"


def test_a_debt_term_ending_before_it_starts_is_refused() -> None:
    assert errors_of(debt_to="2024-01-01")["debt_to"] == "债务到期日 2024-01-01 早于债务起始日 2024-03-20"


def test_the_same_patent_listed_twice_is_refused() -> None:
    patents, problems = parse_patents("201710601862.3、CN 2017 1060 1862.3")
    assert (len(patents), problems) == (1, ["专利 201710601862.3 重复列出"])


def test_a_separate_main_class_column_pairs_with_the_numbers_in_order() -> None:
    patents, problems = parse_patents("201710601862.3；202120345678.9", "H01M 10/0525；H02J 7/00")
    assert problems == []
    assert [p.main_ipc for p in patents] == ["H01M 10/0525", "H02J 7/00"]


def test_pledgee_kinds_come_from_the_name() -> None:
    assert [pledgee_kind_of(n) for n in ("溧阳农商银行", "溧阳市融资担保有限公司", "某投资公司")] == [
        "银行",
        "担保机构",
        "其他",
    ]


def test_nothing_follows_a_release() -> None:
    check_transition("登记", "变更")
    check_transition("变更", "注销")
    with pytest.raises(ValidationFailed) as failed:
        check_transition("注销", "变更")
    assert failed.value.by_field() == {"status": "该质押登记已注销，不能再变更或注销"}
