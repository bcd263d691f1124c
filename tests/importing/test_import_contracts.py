"""The contract import against samples/README.md, row by row, for the .xlsx and the .csv."""

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from matchmaker.domain.institutions import InstitutionNormalizer, load_institutions
from matchmaker.importing.contracts import ExistingContracts, preview_contracts
from matchmaker.importing.report import ContractImportReport
from matchmaker.importing.sheets import read_sheet

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
TOWNS = (
    "溧城街道", "昆仑街道", "古县街道", "埭头镇", "上黄镇", "戴埠镇", "天目湖镇", "别桥镇", "上兴镇", "竹箦镇", "南渡镇",
    "社渚镇", "溧阳高新区", "溧阳经济开发区", "天目湖旅游度假区",
)  # fmt: skip
NORMALIZER = InstitutionNormalizer(load_institutions(ROOT / "seed" / "institutions.json"))
# CONTRACTS.md: rejected rows and the field at fault (row 15 also has a negative technology amount).
ERROR_FIELDS = {
    10: ["buyer_credit_code"],
    15: ["amount_yuan", "technology_amount_yuan"],
    19: ["registered_on"],
    29: ["amount_yuan"],
    41: ["contract_type"],
}
DUPLICATE_ROWS = {26: 7, 34: 13}
VALID_ROWS = sorted(set(range(3, 43)) - set(ERROR_FIELDS) - set(DUPLICATE_ROWS))
WAN_COLUMN = {6: "12.5", 12: "85", 17: "36.8", 23: "23.75", 31: "48", 38: "9.6"}


def _preview(data: bytes, name: str, existing: ExistingContracts | None = None) -> ContractImportReport:
    return preview_contracts(
        read_sheet(data, name), normalizer=NORMALIZER, towns=TOWNS, existing=existing or ExistingContracts()
    )


def _sample(name: str, existing: ExistingContracts | None = None) -> ContractImportReport:
    return _preview((SAMPLES / name).read_bytes(), name, existing)


@pytest.fixture(params=["contracts_export.xlsx", "contracts_export.csv"])
def sample_name(request: pytest.FixtureRequest) -> str:
    return request.param


def test_the_sample_has_forty_rows_below_the_header_on_row_two(sample_name):
    report = _sample(sample_name)

    assert report.header_row == 2
    assert [r.row for r in report.results] == list(range(3, 43))


def test_the_sample_gives_the_documented_counts_and_total(sample_name):
    document = _sample(sample_name).to_json(committed=0)

    assert (document["rows"], document["valid"], document["committed"]) == (40, 33, 0)
    assert document["total_yuan"] == "20188003.61"


def test_exactly_the_documented_rows_are_rejected(sample_name):
    report = _sample(sample_name)

    assert {r.row: [e.field for e in r.errors] for r in report.with_status("error")} == ERROR_FIELDS


def test_the_wrong_credit_code_is_rejected_with_its_expected_check_character(sample_name):
    row_ten = _sample(sample_name).results[10 - 3]

    assert row_ten.errors[0].message.split("应为 ")[-1] == "0"
    assert "913204810738516235" in row_ten.errors[0].message


def test_exactly_the_documented_rows_are_duplicates_of_the_first_occurrence(sample_name):
    document = _sample(sample_name).to_json(committed=0)

    assert document["duplicates"] == [
        {"row": row, "of": f"第{first}行"} for row, first in DUPLICATE_ROWS.items()
    ]


def test_valid_rows_are_exactly_the_others(sample_name):
    assert [r.row for r in _sample(sample_name).with_status("valid")] == VALID_ROWS


def test_totals_are_exact_decimals(sample_name):
    report = _sample(sample_name)

    assert (report.total_yuan, report.technology_total_yuan) == (
        Decimal("20188003.61"),
        Decimal("19181903.44"),
    )


def test_the_total_breaks_down_by_year_of_registration_as_documented(sample_name):
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    for draft in _sample(sample_name).valid_drafts:
        by_year[draft.registered_on.year] += draft.amount_yuan

    assert dict(by_year) == {
        2021: Decimal("4468400.23"),
        2022: Decimal("4654800.64"),
        2023: Decimal("4338401.37"),
        2024: Decimal("5102400.45"),
        2025: Decimal("1624000.92"),
    }


def test_the_total_breaks_down_by_contract_type_as_documented(sample_name):
    by_type: dict[str, tuple[int, Decimal]] = {}
    for draft in _sample(sample_name).valid_drafts:
        count, amount = by_type.get(draft.contract_type, (0, Decimal(0)))
        by_type[draft.contract_type] = (count + 1, amount + draft.amount_yuan)

    assert by_type == {
        "技术开发": (11, Decimal("7215800.87")),
        "技术服务": (12, Decimal("9625301.87")),
        "技术咨询": (5, Decimal("1626500.15")),
        "技术转让": (4, Decimal("1219200.72")),
        "技术许可": (1, Decimal("501200.00")),
    }


def test_the_chinese_numeral_amount_is_accepted_with_the_only_warning(sample_name):
    report = _sample(sample_name)

    assert report.results[25 - 3].draft.amount_yuan == Decimal("100000.00")
    assert report.to_json(committed=0)["warnings"] == [
        {"row": 25, "message": "金额以中文大写“壹拾万元整”书写，已读作 100,000.00 元，请核对"}
    ]


def test_wan_yuan_amounts_are_multiplied_exactly(sample_name):
    results = {r.row: r for r in _sample(sample_name).results}

    assert {row: results[row].draft.amount_yuan for row in WAN_COLUMN} == {
        row: Decimal(value) * 10000 for row, value in WAN_COLUMN.items()
    }


def test_technology_amounts_differ_from_the_amount_in_the_documented_rows_only(sample_name):
    drafts = {r.row: r.draft for r in _sample(sample_name).with_status("valid")}

    assert sorted(row for row, d in drafts.items() if d.technology_amount_yuan != d.amount_yuan) == [
        3,
        24,
        30,
        37,
    ]


def test_companies_sell_in_the_documented_rows_and_institutions_in_all_others(sample_name):
    results = _sample(sample_name).results
    company_sellers = sorted(
        r.row for r in results if r.draft is not None and not r.draft.seller_is_institution
    )

    assert company_sellers == [30, 31, 32, 33, 35]
    assert {
        r.draft.seller_name for r in results if r.draft is not None and r.draft.seller_is_institution
    } == {
        "南京航空航天大学天目湖校区",
        "东南大学溧阳研究院",
        "重庆大学溧阳研究院",
    }


def test_the_xlsx_and_the_csv_give_the_same_drafts():
    assert _sample("contracts_export.xlsx").results == _sample("contracts_export.csv").results


def test_importing_the_sample_again_adds_nothing_and_reports_thirty_five_duplicates(sample_name):
    first = _sample(sample_name)
    existing = ExistingContracts(
        {d.registration_number: f"已登记合同 #{i}" for i, d in enumerate(first.valid_drafts, start=1)}
    )

    second = _sample(sample_name, existing)
    document = second.to_json(committed=0)

    assert (document["valid"], len(document["duplicates"]), document["total_yuan"]) == (0, 35, "0.00")
    assert sorted(e["row"] for e in document["duplicates"]) == sorted([*VALID_ROWS, *DUPLICATE_ROWS])
    assert sorted(r.row for r in second.with_status("error")) == sorted(ERROR_FIELDS)


def test_a_total_row_is_not_a_contract():
    text = (SAMPLES / "contracts_export.csv").read_bytes().decode("utf-8-sig")
    with_total = text.rstrip("\n") + '\n合计,,,,,,,"20,188,003.61",,,,,,,\n'

    report = _preview(with_total.encode(), "with_total.csv")

    assert (len(report.results), report.total_yuan) == (40, Decimal("20188003.61"))


def test_an_export_without_amount_columns_asks_for_one():
    data = "合同登记编号,项目名称,合同类型,卖方名称,买方名称,买方统一社会信用代码,合同签订日期,登记日期\n".encode()

    report = _preview(data, "no_amount.csv")

    assert (report.missing, report.results) == (("合同成交额（元）或合同成交额（万元）",), ())
