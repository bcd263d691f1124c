from datetime import date, datetime
from decimal import Decimal

import pytest

from matchmaker.domain.contracts import (
    ContractDraft,
    normalise_registration_number,
    parse_contract_type,
    parse_date,
    validate_contract,
)
from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.institutions import Institution, InstitutionNormalizer

TOWNS = (
    "溧城街道",
    "昆仑街道",
    "古县街道",
    "埭头镇",
    "上黄镇",
    "戴埠镇",
    "天目湖镇",
    "别桥镇",
    "上兴镇",
    "竹箦镇",
    "南渡镇",
    "社渚镇",
)
NORMALIZER = InstitutionNormalizer(
    [
        Institution("东南大学溧阳研究院", "东大溧阳研究院", ()),
        Institution("重庆大学溧阳研究院", "重大溧阳研究院", ()),
    ]
)
BASE = {
    "registration_number": "2023320481000122",
    "title": "高比能锂离子电池硅碳负极材料制备工艺开发",
    "contract_type": "技术开发（委托）",
    "seller": "东大溧阳研究院",
    "buyer": "溧阳澄峰储能科技有限公司",
    "buyer_credit_code": "91320481MA1WQ3K729",
    "amount_yuan": "80,000.00",
    "technology_amount_yuan": "64,000.00",
    "signed_on": "2023/4/26",
    "registered_on": date(2023, 5, 4),
    "validity": "2023-04-26至2025-04-25",
    "field": "新能源与高效节能",
    "town": "昆仑街道",
}


def _validate(**changes: object) -> ContractDraft:
    return validate_contract({**BASE, **changes}, normalizer=NORMALIZER, towns=TOWNS)


def _errors(**changes: object) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        _validate(**changes)
    return caught.value.by_field()


def test_a_registered_contract_becomes_an_exact_draft():
    assert _validate() == ContractDraft(
        registration_number="2023320481000122",
        title="高比能锂离子电池硅碳负极材料制备工艺开发",
        contract_type="技术开发",
        sub_type="委托",
        seller_name="东南大学溧阳研究院",
        seller_is_institution=True,
        buyer_name="溧阳澄峰储能科技有限公司",
        buyer_credit_code="91320481MA1WQ3K729",
        buyer_is_institution=False,
        amount_yuan=Decimal("80000.00"),
        technology_amount_yuan=Decimal("64000.00"),
        signed_on=date(2023, 4, 26),
        registered_on=date(2023, 5, 4),
        valid_from=date(2023, 4, 26),
        valid_to=date(2025, 4, 25),
        field="新能源与高效节能",
        town="昆仑街道",
        warnings=(),
    )


def test_every_field_error_is_reported_at_once():
    errors = _errors(
        registration_number="12345", contract_type="技术推广", amount_yuan="-1", registered_on="2023-04-01"
    )

    assert sorted(errors) == ["amount_yuan", "contract_type", "registered_on", "registration_number"]


def test_registration_numbers_are_compared_after_nfkc_and_whitespace_removal():
    assert normalise_registration_number("２０２１ ３２０４８１ ０００１３０") == "2021320481000130"


def test_a_registration_number_that_is_not_sixteen_digits_is_refused():
    assert _errors(registration_number="2023-3204-8100-0122") == {
        "registration_number": "合同登记编号「2023-3204-8100-0122」应为 16 位数字，现为 19 位"
    }


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("技术开发（委托）", ("技术开发", "委托")),
        ("技术开发(委托开发)", ("技术开发", "委托开发")),
        ("委托开发", ("技术开发", "委托开发")),
        ("技术开发（合作）", ("技术开发", "合作")),
        ("技术转让（专利申请权）", ("技术转让", "专利申请权")),
        ("技术许可（技术秘密使用许可）", ("技术许可", "技术秘密使用许可")),
        ("技术咨询", ("技术咨询", None)),
        (" 技术服务 ", ("技术服务", None)),
    ],
)
def test_contract_type_spellings_of_the_registration_system(text, parsed):
    assert parse_contract_type(text) == parsed


@pytest.mark.parametrize("text", ["技术推广", "委托开发（软件）", "技术中介", ""])
def test_other_contract_types_are_refused(text):
    with pytest.raises(ValueError):
        parse_contract_type(text)


def test_a_wrong_credit_code_names_the_expected_check_character():
    assert _errors(buyer_credit_code="913204810738516235") == {
        "buyer_credit_code": "买方统一社会信用代码 913204810738516235 的校验位应为 0"
    }


def test_an_institution_party_gets_its_canonical_name_and_a_company_keeps_its_own():
    draft = _validate(
        seller="溧阳市天湖智能装备有限公司", buyer="重大溧阳研究院", buyer_credit_code="12320481MB1D29608C"
    )

    assert (draft.seller_name, draft.seller_is_institution, draft.buyer_name, draft.buyer_is_institution) == (
        "溧阳市天湖智能装备有限公司",
        False,
        "重庆大学溧阳研究院",
        True,
    )


def test_an_amount_in_wan_yuan_is_converted_exactly():
    draft = _validate(amount_yuan=None, amount_wan=Decimal("36.8"), technology_amount_yuan="368,000.00")

    assert draft.amount_yuan == Decimal("368000.00")


def test_an_amount_in_chinese_numerals_is_accepted_with_a_warning():
    draft = _validate(amount_yuan="壹拾万元整", technology_amount_yuan="100,000.00")

    assert draft.amount_yuan == Decimal("100000.00")
    assert draft.warnings == ("金额以中文大写“壹拾万元整”书写，已读作 100,000.00 元，请核对",)


def test_both_amount_columns_agreeing_is_accepted():
    assert _validate(amount_yuan="80000", amount_wan="8").amount_yuan == Decimal("80000.00")


def test_both_amount_columns_disagreeing_is_refused():
    assert _errors(amount_yuan="80,000.00", amount_wan="9") == {
        "amount_wan": "合同成交额（元）80,000.00 元与合同成交额（万元）9 万元不一致，请只填一列"
    }


def test_no_amount_at_all_is_refused():
    assert _errors(amount_yuan=None, amount_wan="  ") == {
        "amount_yuan": "合同成交额不能为空，请填写合同成交额（元）或合同成交额（万元）"
    }


def test_an_amount_finer_than_one_fen_is_refused_not_rounded():
    assert _errors(amount_yuan="12,345.678", technology_amount_yuan="12,345.67") == {
        "amount_yuan": "合同成交额（元）有误：金额 12,345.678 精确到了分以下（元金额最多两位小数），请核对，不会自动四舍五入"
    }


def test_a_negative_amount_is_refused():
    assert _errors(amount_yuan="-50,000.00", technology_amount_yuan="0") == {
        "amount_yuan": "合同成交额（元）有误：金额 -50,000.00 为负数，金额不能为负"
    }


def test_a_zero_amount_is_refused():
    assert _errors(amount_yuan="0", technology_amount_yuan="0") == {"amount_yuan": "合同成交额应大于 0 元"}


def test_a_technology_amount_above_the_contract_amount_is_refused():
    assert _errors(technology_amount_yuan="80,000.01") == {
        "technology_amount_yuan": "技术交易额 80,000.01 元不能大于合同成交额 80,000.00 元"
    }


def test_a_missing_technology_amount_counts_the_whole_amount_with_a_warning():
    draft = _validate(technology_amount_yuan=None)

    assert (draft.technology_amount_yuan, draft.warnings) == (
        Decimal("80000.00"),
        ("技术交易额未填写，已按合同成交额计",),
    )


def test_registration_before_signature_is_refused():
    assert _errors(signed_on="2023-11-13", registered_on="2023-11-06") == {
        "registered_on": "登记日期 2023-11-06 早于合同签订日期 2023-11-13"
    }


@pytest.mark.parametrize(
    "value",
    [
        "2023-05-04",
        "2023/5/4",
        "2023.5.4",
        "2023年5月4日",
        "20230504",
        "２０２３－０５－０４",
        date(2023, 5, 4),
        datetime(2023, 5, 4, 9, 30),
    ],
)
def test_date_spellings(value):
    assert parse_date(value) == date(2023, 5, 4)


def test_an_impossible_date_is_refused_naming_the_field():
    assert _errors(signed_on="2023-02-30") == {"signed_on": "合同签订日期「2023-02-30」不是有效的日期"}


def test_a_date_in_another_format_is_refused_with_the_expected_format():
    assert _errors(signed_on="4月26日") == {
        "signed_on": "合同签订日期「4月26日」应写成 2023-05-04 或 2023/5/4"
    }


def test_validity_may_come_as_two_form_fields():
    draft = _validate(validity=None, valid_from=date(2023, 5, 1), valid_to="2024/4/30")

    assert (draft.valid_from, draft.valid_to) == (date(2023, 5, 1), date(2024, 4, 30))


def test_a_validity_period_ending_before_it_starts_is_refused():
    assert _errors(validity="2024-04-26至2023-04-25") == {
        "validity": "合同有效期限的结束日期 2023-04-25 早于开始日期 2024-04-26"
    }


def test_a_validity_period_without_a_separator_is_refused():
    assert _errors(validity="2023-04-26") == {
        "validity": "合同有效期限「2023-04-26」应写成 2023-04-26至2024-04-25"
    }


def test_a_town_outside_liyang_is_refused():
    assert _errors(town="玄武区") == {"town": "所在镇（街道）「玄武区」不在溧阳的镇街园区列表中"}
