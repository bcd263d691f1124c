import codecs
import io
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaker.importing.headers import load_header_synonyms, locate_header
from matchmaker.importing.sheets import ImportFileError, Sheet, SheetRow, read_sheet

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _xlsx(rows: list[list[object]], *, hidden_column: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if hidden_column:
        sheet.column_dimensions[hidden_column].hidden = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_sample_xlsx_keeps_excel_row_numbers_and_skips_the_blank_row():
    sheet = read_sheet((SAMPLES / "tto_offers.xlsx").read_bytes(), "tto_offers.xlsx")

    assert [row.number for row in sheet.rows] == [1, *range(3, 44)]
    assert sheet.rows[0].cells == ("东南大学溧阳研究院可转化专利清单（2025年第二批）",)


def test_xlsx_date_cells_become_dates_and_number_cells_stay_numbers():
    sheet = read_sheet((SAMPLES / "tto_offers.xlsx").read_bytes(), "tto_offers.xlsx")
    first_offer = sheet.rows[2]

    assert first_offer.number == 4
    assert first_offer.cells[0] == 1
    assert first_offer.cells[5] == date(2019, 5, 15)
    assert first_offer.cells[11] == 6


def test_fractional_number_cells_are_read_as_their_decimal_not_as_binary_float():
    sheet = read_sheet(_xlsx([["合同成交额（万元）"], [36.8], [0.1]]), "amounts.xlsx")

    assert [row.cells for row in sheet.rows] == [
        ("合同成交额（万元）",),
        (Decimal("36.8"),),
        (Decimal("0.1"),),
    ]


def test_hidden_and_empty_columns_are_read_in_place():
    data = _xlsx(
        [["名称", None, "申请号", "备注"], ["一种方法", None, "201710601862.3", "内部"]], hidden_column="D"
    )

    sheet = read_sheet(data, "hidden.xlsx")

    assert sheet.rows[1] == SheetRow(2, ("一种方法", None, "201710601862.3", "内部"))


def test_csv_with_bom_reads_the_same_text_as_the_xlsx():
    from_csv = read_sheet((SAMPLES / "tto_offers.csv").read_bytes(), "tto_offers.csv")

    assert [row.number for row in from_csv.rows] == [1, *range(3, 44)]
    assert from_csv.rows[1].cells[:3] == ("序号", "专利名称", "申请号/专利号")
    assert from_csv.rows[2].cells[5] == "2019-05-15"


def test_gbk_csv_is_detected_and_decoded():
    text = "专利名称,申请号,权利人\n一种芹菜保鲜方法,201710601862.3,东南大学\n"

    sheet = read_sheet(text.encode("gbk"), "gbk.csv")

    assert sheet.rows == (
        SheetRow(1, ("专利名称", "申请号", "权利人")),
        SheetRow(2, ("一种芹菜保鲜方法", "201710601862.3", "东南大学")),
    )


def test_utf8_csv_without_bom_is_read():
    sheet = read_sheet("名称,申请号\n甲,1\n".encode(), "plain.csv")

    assert sheet.rows[1] == SheetRow(2, ("甲", "1"))


def test_tab_separated_utf16_text_as_excel_saves_unicode_text_is_read():
    data = codecs.BOM_UTF16_LE + "名称\t申请号\n甲\t1\n".encode("utf-16-le")

    sheet = read_sheet(data, "unicode.txt")

    assert sheet.rows[1] == SheetRow(2, ("甲", "1"))


def test_csv_row_numbers_count_records_so_a_quoted_newline_does_not_shift_them():
    sheet = read_sheet('名称,摘要\n甲,"第一行\n第二行"\n乙,短\n'.encode(), "multiline.csv")

    assert [(row.number, row.cells[0]) for row in sheet.rows] == [(1, "名称"), (2, "甲"), (3, "乙")]


def test_trailing_spaces_are_stripped_and_blank_cells_are_none():
    sheet = read_sheet("名称 , 申请号\n 甲 ,  \n".encode(), "spaces.csv")

    assert sheet.rows == (SheetRow(1, ("名称", "申请号")), SheetRow(2, ("甲",)))


def test_a_file_over_the_size_limit_is_refused_with_its_size():
    with pytest.raises(ImportFileError) as caught:
        read_sheet(b"a" * 2048, "big.csv", max_bytes=1024)

    assert caught.value.message == "文件 big.csv 大小为 2 KB，超过上限 1 KB，请拆分后再导入"


def test_an_xlsx_that_inflates_far_beyond_the_limit_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)

    with pytest.raises(ImportFileError) as caught:
        read_sheet(buffer.getvalue(), "bomb.xlsx", max_bytes=100_000)

    assert caught.value.message == "文件 bomb.xlsx 解压后超过 1.9 MB，请拆分后再导入"


def test_an_empty_file_is_refused():
    with pytest.raises(ImportFileError) as caught:
        read_sheet(b"", "empty.csv")

    assert caught.value.message == "文件 empty.csv 是空的"


def test_a_csv_of_only_separators_has_no_data():
    with pytest.raises(ImportFileError) as caught:
        read_sheet(b",,,\n,,\n", "commas.csv")

    assert caught.value.message == "文件 commas.csv 中没有任何数据"


def test_an_xlsx_without_any_value_has_no_data():
    with pytest.raises(ImportFileError) as caught:
        read_sheet(_xlsx([]), "blank.xlsx")

    assert caught.value.message == "文件 blank.xlsx 中没有任何数据"


def test_a_legacy_xls_file_is_refused_with_advice():
    with pytest.raises(ImportFileError) as caught:
        read_sheet(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls")

    assert caught.value.message == "文件 old.xls 是旧版 Excel（.xls）格式，请在 Excel 中另存为 .xlsx 后再导入"


def test_a_pdf_is_not_a_spreadsheet():
    with pytest.raises(ImportFileError) as caught:
        read_sheet(b"%PDF-1.4 ...", "offers.pdf")

    assert caught.value.message == "文件 offers.pdf 不是表格文件，只能导入 .xlsx 或 .csv 文件"


def test_text_named_xlsx_is_refused():
    with pytest.raises(ImportFileError) as caught:
        read_sheet("名称,申请号".encode(), "offers.xlsx")

    assert caught.value.message == "文件 offers.xlsx 不是有效的 Excel（.xlsx）文件"


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")

    with pytest.raises(ImportFileError) as caught:
        read_sheet(buffer.getvalue(), "offers.xlsx")

    assert caught.value.message == "文件 offers.xlsx 不是有效的 Excel（.xlsx）文件，或已损坏"


def test_binary_content_named_csv_is_refused():
    with pytest.raises(ImportFileError) as caught:
        read_sheet(b"\x00\x01\x02abc", "junk.csv")

    assert caught.value.message == "文件 junk.csv 不是文本表格（含有二进制内容），只能导入 .xlsx 或 .csv 文件"


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400), name=st.sampled_from(["x.csv", "x.xlsx", "x", "x.txt"]))
def test_random_bytes_give_a_file_error_or_a_sheet_without_a_header_never_a_raw_exception(data, name):
    with pytest.raises(ImportFileError):
        sheet = read_sheet(data, name)
        locate_header(sheet, load_header_synonyms(), "offer", required=[("title",)])


@settings(max_examples=50, deadline=None)
@given(data=st.binary(min_size=1, max_size=200))
def test_random_bytes_after_a_zip_signature_give_a_file_error(data):
    with pytest.raises(ImportFileError):
        read_sheet(b"PK\x03\x04" + data, "x.xlsx")


def test_sheet_row_cell_beyond_the_last_filled_cell_is_none():
    row = SheetRow(5, ("a",))

    assert (row.cell(0), row.cell(3)) == ("a", None)


def test_sheet_keeps_the_filename():
    assert read_sheet(b"a,b\n", "f.csv") == Sheet("f.csv", (SheetRow(1, ("a", "b")),))
