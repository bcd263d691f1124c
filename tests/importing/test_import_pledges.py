"""Reading a pledge register: columns by wording and content, every bad row named, duplicates found."""

from __future__ import annotations

from decimal import Decimal

from matchmaker.importing.pledges import ExistingPledges, preview_pledges
from matchmaker.importing.rows import Choices
from matchmaker.importing.sheets import read_sheet
from matchmaker.settings import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "samples" / "pledge_register.xlsx"
TOWNS = ("溧城街道", "昆仑街道", "溧阳高新区")
FIELDS = ("动力电池", "新能源")
HEADER = "登记号,出质企业,信用代码,授信机构,专利号,担保债权数额（元）,登记日期,状态,注销日期\n"
CODE = "91320481MA2892XF5T"


def csv_sheet(*rows: str, header: str = HEADER) -> object:
    return read_sheet((header + "\n".join(rows) + "\n").encode("utf-8"), "register.csv")


def test_the_sample_register_reads_sixteen_rows_with_four_errors_and_one_duplicate() -> None:
    sheet = read_sheet(SAMPLE.read_bytes(), SAMPLE.name)
    report = preview_pledges(sheet, towns=TOWNS, fields=FIELDS, existing=ExistingPledges())
    assert (len(report.results), len(report.valid_drafts), report.total_yuan) == (
        21,
        16,
        Decimal("178040000.00"),
    )
    assert [(r.row, r.errors[0].field) for r in report.with_status("error")] == [
        (7, "patents"),
        (12, "amount_wan"),
        (16, "debt_to"),
        (19, "pledgor_credit_code"),
    ]
    assert [(r.row, r.duplicate_of) for r in report.with_status("duplicate")] == [(23, "第5行")]


def test_a_stored_registration_is_a_duplicate() -> None:
    sheet = read_sheet(SAMPLE.read_bytes(), SAMPLE.name)
    first = preview_pledges(sheet, towns=TOWNS, fields=FIELDS, existing=ExistingPledges())
    number = first.valid_drafts[0].registration_number
    again = preview_pledges(
        sheet, towns=TOWNS, fields=FIELDS, existing=ExistingPledges({number: "已登记质押 #1"})
    )
    assert again.results[0].duplicate_of == "已登记质押 #1"


def test_an_unknown_pledgee_header_asks_for_a_mapping_and_the_choice_reads_the_rows() -> None:
    sheet = csv_sheet(
        f"Y2025320000001,溧芯储能,{CODE},江苏银行溧阳支行,201710601862.3,5000000,2025-03-01,登记,"
    )
    report = preview_pledges(sheet, towns=TOWNS, fields=FIELDS, existing=ExistingPledges())  # type: ignore[arg-type]
    assert (report.missing, report.results) == (("质权人",), ())
    chosen = preview_pledges(
        sheet,  # type: ignore[arg-type]
        towns=TOWNS,
        fields=FIELDS,
        existing=ExistingPledges(),
        choices=Choices(columns={"pledgee": "授信机构"}),
    )
    assert [d.pledgee_name for d in chosen.valid_drafts] == ["江苏银行溧阳支行"]


def test_a_release_before_the_registration_is_an_error_row() -> None:
    sheet = csv_sheet(
        f"Y2025320000001,溧芯储能,{CODE},江苏银行溧阳支行,201710601862.3,5000000,2025-03-01,注销,2025-02-01",
        header=HEADER.replace("授信机构", "质权人"),
    )
    report = preview_pledges(sheet, towns=TOWNS, fields=FIELDS, existing=ExistingPledges())  # type: ignore[arg-type]
    assert [e.message for e in report.results[0].errors] == [
        "注销日期 2025-02-01 早于登记日期 2025-03-01，不能先注销后登记"
    ]
