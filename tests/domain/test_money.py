import csv
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matchmaker.domain.money import (
    AmountError,
    OfferPrice,
    ParsedAmount,
    fen_to_yuan,
    format_yi,
    format_yuan,
    parse_chinese_numerals,
    parse_price_wan,
    parse_wan_yuan,
    parse_yuan,
    yuan_to_fen,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

# --- 元 amounts -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("1,234,567.89", Decimal("1234567.89")),
        ("1,250,000.00", Decimal("1250000.00")),
        ("121200元", Decimal("121200.00")),
        ("1,001,200.50元", Decimal("1001200.50")),
        ("123.5万", Decimal("1235000.00")),
        ("123.5万元", Decimal("1235000.00")),
        ("１，２３４，５６７．８９", Decimal("1234567.89")),
        ("１２１２００元", Decimal("121200.00")),
        (" 80,000.00 ", Decimal("80000.00")),
        ("0", Decimal("0.00")),
        ("1.5亿", Decimal("150000000.00")),
        ("¥100", Decimal("100.00")),
    ],
)
def test_written_amounts_are_read_exactly(text: str, yuan: Decimal) -> None:
    assert parse_yuan(text).yuan == yuan


def test_understood_says_what_was_read_in_yuan() -> None:
    assert parse_yuan("123.5万") == ParsedAmount(Decimal("1235000.00"), "123.5万 → 1,235,000.00 元", None)


def test_amounts_always_carry_two_decimal_places() -> None:
    assert str(parse_yuan("121200元").yuan) == "121200.00"
    assert str(parse_yuan(Decimal("1.230")).yuan) == "1.23"


def test_chinese_numerals_in_the_yuan_column_are_read_with_a_warning() -> None:
    assert parse_yuan("壹拾万元整") == ParsedAmount(
        Decimal("100000.00"),
        "壹拾万元整 → 100,000.00 元",
        "金额以中文大写“壹拾万元整”书写，已读作 100,000.00 元，请核对",
    )


@pytest.mark.parametrize(
    ("cell", "yuan"),
    [
        (1234567.89, Decimal("1234567.89")),
        (0.1, Decimal("0.10")),
        (351200.08, Decimal("351200.08")),
        (12345, Decimal("12345.00")),
        (Decimal("2000000.08"), Decimal("2000000.08")),
    ],
)
def test_numeric_cells_are_read_through_their_shortest_repr(cell: float | Decimal, yuan: Decimal) -> None:
    assert parse_yuan(cell).yuan == yuan


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "金额为空"),
        ("   ", "金额为空"),
        ("-50,000.00", "金额 -50,000.00 为负数，金额不能为负"),
        ("0.1+0.2", "金额 0.1+0.2 不是可识别的数字"),
        ("abc", "金额 abc 不是可识别的数字"),
        ("1,2,3", "金额 1,2,3 不是可识别的数字"),
        ("12,345.678", "金额 12,345.678 精确到了分以下（元金额最多两位小数），请核对，不会自动四舍五入"),
        (Decimal("1.231"), "金额 1.231 精确到了分以下（元金额最多两位小数），请核对，不会自动四舍五入"),
        (-5, "金额 -5 为负数，金额不能为负"),
        (float("nan"), "金额 nan 不是有效数字"),
        (True, "金额 True 不是数字"),
        (1e16, "金额 10000000000000000 过大，请核对单位"),
    ],
)
def test_bad_amounts_are_refused_with_the_reason(value: str | Decimal | float, message: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_yuan(value)
    assert caught.value.message == message
    assert str(caught.value) == message


def test_more_digits_than_the_decimal_context_holds_are_still_refused_not_rounded() -> None:
    with pytest.raises(AmountError):
        parse_yuan("1.00000000000000000000000000001")


# --- 万元 column ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "yuan"),
    [
        ("12.5", Decimal("125000.00")),
        ("85", Decimal("850000.00")),
        ("36.8", Decimal("368000.00")),
        ("23.75", Decimal("237500.00")),
        (48, Decimal("480000.00")),
        (9.6, Decimal("96000.00")),
        ("12.5万元", Decimal("125000.00")),
        ("１２．５万", Decimal("125000.00")),
        ("0.000001", Decimal("0.01")),
    ],
)
def test_wan_yuan_column_values_are_converted_exactly(value: str | float, yuan: Decimal) -> None:
    assert parse_wan_yuan(value).yuan == yuan


def test_wan_yuan_understood_shows_both_units() -> None:
    assert parse_wan_yuan(12.5).understood == "12.5 万元 → 125,000.00 元"


@pytest.mark.parametrize("value", ["", "-12.5", "abc", "125000元", "12.3456789", -1])
def test_wan_yuan_column_refuses_what_parse_yuan_refuses_and_other_units(value: str | int) -> None:
    with pytest.raises(AmountError):
        parse_wan_yuan(value)


def test_contract_sample_amount_columns_add_up_to_the_documented_total() -> None:
    """CONTRACTS.md: the 33 valid rows sum to 20,188,003.61 元; the rejected rows are refused by amount or else."""
    with (SAMPLES / "contracts_export.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[2:]
    rejected_for_other_reasons = {19, 41}  # registered before signed, unknown contract type
    duplicates = {26, 34}
    total = Decimal(0)
    refused = []
    for line, row in enumerate(rows, start=3):
        try:
            amount = parse_yuan(row[7]) if row[7] else parse_wan_yuan(row[8])
        except AmountError:
            refused.append(line)
            continue
        if line not in rejected_for_other_reasons | duplicates and row[6] != "913204810738516235":
            total += amount.yuan
    assert refused == [15, 29]
    assert total == Decimal("20188003.61")


# --- 中文大写 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("壹拾万元整", Decimal(100000)),
        ("壹佰贰拾万零伍佰元整", Decimal(1200500)),
        ("叁仟元伍角陆分", Decimal("3000.56")),
        ("壹亿元整", Decimal(100000000)),
        ("拾万元", Decimal(100000)),
        ("人民币壹万元正", Decimal(10000)),
        ("壹仟贰佰叁拾肆万伍仟陆佰柒拾捌圆玖角捌分", Decimal("12345678.98")),
        ("贰拾元零伍分", Decimal("20.05")),
        ("壹佰零伍元", Decimal(105)),
        ("两万三千元", Decimal(23000)),
        ("一百二十元", Decimal(120)),
        ("伍角", Decimal("0.5")),
        ("壹亿零伍拾万元整", Decimal(100500000)),
        ("零元整", Decimal(0)),
    ],
)
def test_chinese_numerals_are_read_exactly(text: str, yuan: Decimal) -> None:
    assert parse_chinese_numerals(text) == yuan


@pytest.mark.parametrize(
    "text",
    [
        "",
        "元整",
        "壹贰元",
        "壹佰伍",
        "叁元伍",
        "伍佰贰仟元",
        "壹拾万元整啊",
        "伍角叁元",
        "壹分伍角",
        "万元",
        "负壹万元",
    ],
)
def test_ambiguous_or_malformed_chinese_numerals_are_refused(text: str) -> None:
    with pytest.raises(AmountError):
        parse_chinese_numerals(text)


def test_chinese_numeral_error_names_the_text() -> None:
    with pytest.raises(AmountError) as caught:
        parse_chinese_numerals("壹佰伍")
    assert caught.value.message == "金额大写“壹佰伍”无法识别：末位数字缺少单位，含义不明确"


# --- 分, formatting ---------------------------------------------------------------------------------------


def test_yuan_and_fen_convert_both_ways_exactly() -> None:
    assert yuan_to_fen(Decimal("20188003.61")) == 2018800361
    assert fen_to_yuan(2018800361) == Decimal("20188003.61")
    assert str(fen_to_yuan(0)) == "0.00"


def test_yuan_to_fen_refuses_a_third_decimal() -> None:
    with pytest.raises(AmountError):
        yuan_to_fen(Decimal("0.001"))


def test_format_yuan_groups_thousands_with_two_decimals() -> None:
    assert format_yuan(Decimal("1234567.89")) == "1,234,567.89"
    assert format_yuan(Decimal(5)) == "5.00"


def test_format_yi_rounds_half_up_for_display() -> None:
    assert format_yi(Decimal(15000000000)) == "150.00"
    assert format_yi(Decimal("20188003.61")) == "0.20"
    assert format_yi(Decimal("20188003.61"), places=4) == "0.2019"
    assert format_yi(Decimal(125000000)) == "1.25"
    assert format_yi(Decimal(1250000)) == "0.01"  # 0.0125 亿
    assert format_yi(Decimal(500000)) == "0.01"  # 0.005 亿: half rounds up, not to even


# --- properties -------------------------------------------------------------------------------------------

# Decimals in [0, 10^12) 元 with zero, one or two decimal places.
fen_amounts = st.one_of(
    *(st.decimals(min_value=0, max_value=10**12 - 1, places=places) for places in (0, 1, 2))
)


@given(fen_amounts)
def test_formatted_amounts_parse_back_to_themselves(yuan: Decimal) -> None:
    assert parse_yuan(format_yuan(yuan)).yuan == yuan


@given(fen_amounts)
def test_plain_amounts_with_a_yuan_suffix_parse_to_themselves(yuan: Decimal) -> None:
    assert parse_yuan(str(yuan) + "元").yuan == yuan


@given(st.integers(0, 10**14 - 1), st.integers(1, 9))
def test_any_third_non_zero_decimal_is_refused(fen: int, third: int) -> None:
    text = f"{Decimal(fen).scaleb(-2)}{third}"
    with pytest.raises(AmountError):
        parse_yuan(text)
    with pytest.raises(AmountError):
        parse_yuan(Decimal(text))


@given(fen_amounts)
def test_fen_round_trip_is_exact(yuan: Decimal) -> None:
    assert fen_to_yuan(yuan_to_fen(yuan)) == yuan


# --- offer prices -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "price_wan"),
    [
        ("50", 50),
        ("50万", 50),
        ("20万元", 20),
        (50, 50),
        (50.0, 50),
        ("５０", 50),
        ("５０万元", 50),
        (" 40万 ", 40),
        ("12.0", 12),
    ],
)
def test_whole_wan_prices_are_read(value: str | float, price_wan: int) -> None:
    assert parse_price_wan(value) == OfferPrice(price_wan, None, None)


@pytest.mark.parametrize("value", [None, "", "  ", "面议"])
def test_negotiable_or_empty_price_is_none(value: str | None) -> None:
    assert parse_price_wan(value) == OfferPrice(None, None, None)


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [("20~30", 20, 30), ("40-60", 40, 60), ("20至30", 20, 30), ("２０～３０", 20, 30), ("20万-30万", 20, 30)],
)
def test_price_ranges_keep_both_bounds(value: str, low: int, high: int) -> None:
    assert parse_price_wan(value) == OfferPrice(low, (low, high), None)


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [("约50万", 50, None), ("50万元左右", 50, None), ("20-30万元以上", 20, (20, 30))],
)
def test_a_hedged_figure_is_read_with_a_warning(value: str, low: int, high: object) -> None:
    price = parse_price_wan(value)
    assert (price.price_wan, price.range_wan) == (low, high)
    assert price.warning == f"意向价格「{value}」已按 {low} 万元登记"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-20", "意向价格 -20 为负数，价格不能为负"),
        (-20, "意向价格 -20 为负数，价格不能为负"),
        (12.5, "意向价格 12.5 万元不是整数，请填写整数万元"),
        ("12.5", "意向价格 12.5 万元不是整数，请填写整数万元"),
        ("60-40", "意向价格区间 60-40 的下限大于上限"),
        ("abc", "意向价格 abc 无法识别，请填写整数万元、区间（如 40-60）或“面议”"),
    ],
)
def test_bad_prices_are_refused_with_the_reason(value: str | float, message: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_price_wan(value)
    assert caught.value.message == message


def test_tto_sample_prices_read_as_the_readme_says() -> None:
    with (SAMPLES / "tto_offers.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[3:]
    readings: dict[int, OfferPrice | str] = {}
    for line, row in enumerate(rows, start=4):
        try:
            readings[line] = parse_price_wan(row[10])
        except AmountError as error:
            readings[line] = error.message
    assert readings[30] == "意向价格 -20 为负数，价格不能为负"
    assert readings[9] == OfferPrice(40, (40, 60))
    assert [line for line, r in readings.items() if isinstance(r, str)] == [30]
    negotiable = [line for line, row in enumerate(rows, start=4) if row[10] == "面议"]
    assert [line for line, r in readings.items() if r == OfferPrice(None)] == negotiable
