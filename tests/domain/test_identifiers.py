import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matchmaker.domain.identifiers import (
    CREDIT_CODE_CHARS,
    ApplicationNumber,
    IdentifierError,
    credit_code_check_char,
    org_code_check_char,
    parse_application_number,
    parse_credit_code,
    parse_ipc,
    patent_check_char,
    patent_key,
)

EVAL = Path(__file__).resolve().parents[2] / "eval"


def _jsonl(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (EVAL / name).read_text(encoding="utf-8").splitlines() if line]


# --- application numbers: worked examples from the brief and the sample files ---------------------------


def test_brief_worked_example_has_check_char_3() -> None:
    assert patent_check_char("201710601862") == "3"


@pytest.mark.parametrize(
    ("digits", "expected"),
    [("201920851901", "X"), ("201720023794", "2"), ("202211841872", "1")],
)
def test_sample_rows_check_chars_match_the_sample_readme(digits: str, expected: str) -> None:
    assert patent_check_char(digits) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("201710601862.4", "申请号 201710601862.4 的校验位应为 3"),
        ("201920851901.2", "申请号 201920851901.2 的校验位应为 X"),
        ("201720023794.3", "申请号 201720023794.3 的校验位应为 2"),
        ("CN202211841872.9", "申请号 202211841872.9 的校验位应为 1"),
    ],
)
def test_wrong_check_char_is_rejected_with_the_expected_one(text: str, message: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        parse_application_number(text)
    assert caught.value.message == message
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "text",
    [
        "201710601862.3",
        "CN201710601862.3",
        "CN 201710601862.3",
        "cn201710601862.3",
        "ZL201710601862.3",
        "zl 2017 1060 1862.3",
        "２０１７１０６０１８６２．３",
        "ＣＮ２０１７１０６０１８６２．３",
        "2017106018623",
        " 201710601862.3 ",
    ],
)
def test_prefixes_spaces_full_width_and_missing_dot_are_tolerated(text: str) -> None:
    assert parse_application_number(text).canonical == "201710601862.3"


def test_zl_prefix_marks_a_granted_number_and_cn_does_not() -> None:
    assert parse_application_number("ZL201710601862.3").granted is True
    assert parse_application_number("CN201710601862.3").granted is False


def test_lower_case_x_check_char_is_read_as_x() -> None:
    assert parse_application_number("201920851901.x").check == "X"


def test_number_properties_come_from_its_digits() -> None:
    number = parse_application_number("CN201980037917.X")
    assert (number.year, number.type_digit, number.patent_type) == (2019, "8", "发明")
    assert number.canonical == "201980037917.X"


def test_old_eight_digit_number_uses_weights_two_to_nine() -> None:
    # 9·2 + 8·3 + 2·4 + 1·5 + 2·6 + 3·7 + 4·8 + 5·9 = 165 = 15·11 → check 0
    assert patent_check_char("98212345") == "0"
    number = parse_application_number("98212345.0")
    assert (number.year, number.patent_type, number.canonical) == (1998, "实用新型", "98212345.0")


def test_old_eight_digit_number_after_2003_is_rejected() -> None:
    digits = "05112345"
    with pytest.raises(IdentifierError) as caught:
        parse_application_number(f"{digits}.{patent_check_char(digits)}")
    assert (
        caught.value.message
        == f"申请号 {digits}.{patent_check_char(digits)} 是 8 位旧号，年份应在 1985–2003 之间"
    )


def test_unknown_type_digit_is_rejected() -> None:
    digits = "201760601862"
    with pytest.raises(IdentifierError) as caught:
        parse_application_number(f"{digits}.{patent_check_char(digits)}")
    assert (
        caught.value.message
        == f"申请号 {digits}.{patent_check_char(digits)} 的类型位 6 无效，应为 1、2、3、8 或 9"
    )


@pytest.mark.parametrize("year", [1984, 2028])
def test_year_outside_1985_to_next_year_is_rejected(year: int) -> None:
    digits = f"{year}10601862"
    with pytest.raises(IdentifierError) as caught:
        parse_application_number(f"{digits}.{patent_check_char(digits)}", current_year=2026)
    assert caught.value.message == (
        f"申请号 {digits}.{patent_check_char(digits)} 的年份 {year} 不合理，应在 1985–2027 之间"
    )


def test_next_year_is_still_plausible() -> None:
    digits = "202710601862"
    number = parse_application_number(f"{digits}.{patent_check_char(digits)}", current_year=2026)
    assert number.year == 2027


def test_number_without_check_char_is_rejected_with_the_full_number() -> None:
    with pytest.raises(IdentifierError) as caught:
        parse_application_number("201710601862")
    assert caught.value.message == "申请号 201710601862 缺少校验位，应为 201710601862.3"


@pytest.mark.parametrize("text", ["", "   ", "abc", "2017106018.3", "20171060186223.3", "201710601862-3"])
def test_malformed_numbers_are_rejected(text: str) -> None:
    with pytest.raises(IdentifierError):
        parse_application_number(text)


def test_patent_key_is_the_same_for_every_spelling_of_one_patent() -> None:
    spellings = ["201810882858.3", "CN201810882858.3", "ZL 201810882858.3", "２０１８１０８８２８５８．３"]
    assert {patent_key(s) for s in spellings} == {"201810882858"}


def test_patent_key_raises_on_a_wrong_check_char() -> None:
    with pytest.raises(IdentifierError):
        patent_key("201810882858.4")


def test_every_application_number_in_the_eval_offers_parses_and_agrees_with_its_type() -> None:
    offers = _jsonl("offers.jsonl")
    parsed = {o["id"]: parse_application_number(o["application_number"]) for o in offers}
    assert len(parsed) == 150
    assert [o["patent_type"] for o in offers] == [parsed[o["id"]].patent_type for o in offers]
    assert [o["application_number"].startswith("ZL") for o in offers] == [
        parsed[o["id"]].granted for o in offers
    ]


# --- application numbers: properties ------------------------------------------------------------------

new_form_digits = st.builds(
    lambda year, kind, serial: f"{year}{kind}{serial:07d}",
    st.integers(1985, 2024),  # within any plausible clock's "next year"
    st.sampled_from("12389"),
    st.integers(0, 9_999_999),
)
old_form_digits = st.builds(
    lambda year, kind, serial: f"{year % 100:02d}{kind}{serial:05d}",
    st.integers(1985, 2003),
    st.sampled_from("12389"),
    st.integers(0, 99_999),
)
any_digits = st.one_of(new_form_digits, old_form_digits)


@given(any_digits, st.sampled_from(["", "CN", "ZL", "cn ", "ZL "]))
def test_a_number_with_its_computed_check_char_always_parses(digits: str, prefix: str) -> None:
    check = patent_check_char(digits)
    assert parse_application_number(f"{prefix}{digits}.{check}") == ApplicationNumber(
        digits, check, granted=prefix.strip().upper() == "ZL"
    )


@given(any_digits, st.sampled_from("0123456789X"))
def test_any_other_check_char_is_rejected_naming_the_computed_one(digits: str, check: str) -> None:
    expected = patent_check_char(digits)
    if check == expected:
        assert parse_application_number(f"{digits}.{check}").check == expected
        return
    with pytest.raises(IdentifierError) as caught:
        parse_application_number(f"{digits}.{check}")
    assert caught.value.message == f"申请号 {digits}.{check} 的校验位应为 {expected}"


# --- credit codes -------------------------------------------------------------------------------------


def test_contracts_sample_bad_credit_code_expects_0() -> None:
    with pytest.raises(IdentifierError) as caught:
        parse_credit_code("913204810738516235")
    assert caught.value.message == "统一社会信用代码 913204810738516235 的校验位应为 0"


def test_contracts_sample_good_credit_code_parses() -> None:
    assert parse_credit_code("913204810738516230") == "913204810738516230"


def test_credit_code_is_normalised_from_full_width_lower_case_and_spaces() -> None:
    assert parse_credit_code(" ９１３２０４８１ma1wq3k729 ") == "91320481MA1WQ3K729"


def test_org_code_check_maps_10_to_x_and_11_to_0() -> None:
    # 0738516 + 2: Σ = 0·3+7·7+3·9+8·10+5·5+1·8+6·4+2·2 = 217 ≡ 8 (mod 11) → 11 − 8 = 3
    assert org_code_check_char("07385162") == "3"
    # all zeros: Σ = 0 → 11 − 0 = 11 → 0
    assert org_code_check_char("00000000") == "0"
    # 4 at weight 3: Σ = 12 ≡ 1 → 11 − 1 = 10 → X
    assert org_code_check_char("40000000") == "X"
    # letters count from A = 10: B = 11 at weight 3 → Σ = 33 ≡ 0 → 0, the same as all zeros
    assert org_code_check_char("B0000000") == "0"


def test_credit_code_overall_check_of_an_all_zero_body_is_0() -> None:
    # Σ = 0 → 31 − 0 = 31 → 0
    assert credit_code_check_char("0" * 17) == "0"


def test_credit_code_with_a_wrong_organisation_check_is_rejected() -> None:
    with pytest.raises(IdentifierError) as caught:
        parse_credit_code("913204810738516200")
    assert (
        caught.value.message
        == "统一社会信用代码 913204810738516200 中组织机构代码（第 9–17 位）的校验位应为 3"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("91320481073851623", "统一社会信用代码 91320481073851623 应为 18 位，实际为 17 位"),
        (
            "91320481O73851623O",
            "统一社会信用代码 91320481O73851623O 含有不允许的字符 O（不使用 I、O、S、V、Z）",
        ),
        ("91A204810738516230", "统一社会信用代码 91A204810738516230 的第 3–8 位应为行政区划码（6 位数字）"),
    ],
)
def test_malformed_credit_codes_are_rejected_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        parse_credit_code(text)
    assert caught.value.message == message


def test_every_credit_code_in_the_eval_needs_parses() -> None:
    codes = [n["credit_code"] for n in _jsonl("needs.jsonl")]
    assert [parse_credit_code(c) for c in codes] == codes
    assert len(codes) == 50


def _with_check_chars(head: str, division: str, body: str) -> str:
    """A credit code made valid the GB 32100 way: organisation-code check, then the overall check."""
    first17 = head + division + body + org_code_check_char(body)
    return first17 + credit_code_check_char(first17)


code_chars = st.sampled_from(CREDIT_CODE_CHARS)
valid_credit_codes = st.builds(
    _with_check_chars,
    st.text(code_chars, min_size=2, max_size=2),
    st.text(st.sampled_from("0123456789"), min_size=6, max_size=6),
    st.text(code_chars, min_size=8, max_size=8),
)


@given(valid_credit_codes)
def test_a_generated_credit_code_with_both_checks_parses(code: str) -> None:
    assert parse_credit_code(code) == code


@given(valid_credit_codes, code_chars)
def test_any_other_final_char_is_rejected_naming_the_computed_one(code: str, last: str) -> None:
    if last == code[17]:
        assert parse_credit_code(code[:17] + last) == code
        return
    with pytest.raises(IdentifierError) as caught:
        parse_credit_code(code[:17] + last)
    assert caught.value.message == f"统一社会信用代码 {code[:17]}{last} 的校验位应为 {code[17]}"


@given(valid_credit_codes, st.integers(0, 17), code_chars)
def test_changing_any_one_char_of_a_credit_code_is_rejected(code: str, position: int, char: str) -> None:
    mutated = code[:position] + char + code[position + 1 :]
    if mutated == code:
        assert parse_credit_code(mutated) == code
        return
    with pytest.raises(IdentifierError):
        parse_credit_code(mutated)


# --- IPC and Locarno ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("H01M 10/0525", "H01M 10/0525"),
        ("H01M10/0525", "H01M 10/0525"),
        ("h01m 4/525", "H01M 4/525"),
        ("Ｈ０１Ｍ　４／５２５", "H01M 4/525"),
        ("G06T 7/0004", "G06T 7/0004"),
        ("LOC 13-02", "LOC 13-02"),
        ("loc13-2", "LOC 13-02"),
        ("LOC 10－05", "LOC 10-05"),
    ],
)
def test_ipc_and_locarno_codes_are_normalised(text: str, expected: str) -> None:
    assert parse_ipc(text) == expected


@pytest.mark.parametrize("text", ["", "H01M", "Z01M 4/525", "H01M 4/5", "LOC 40-01", "电池", "H01M 4-525"])
def test_anything_else_is_not_a_classification(text: str) -> None:
    with pytest.raises(IdentifierError):
        parse_ipc(text)


def test_every_classification_in_the_eval_offers_is_already_normal() -> None:
    codes = [c for o in _jsonl("offers.jsonl") for c in o["ipc"]]
    assert [parse_ipc(c) for c in codes] == codes
