from pathlib import Path

import pytest

from matchmaker.importing.headers import (
    HeaderRow,
    Record,
    load_header_synonyms,
    locate_header,
    normalise_header,
    parse_header_synonyms,
    records,
)
from matchmaker.importing.sheets import ImportFileError, Sheet, SheetRow, read_sheet

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SYNONYMS = load_header_synonyms()


def _sheet(*rows: tuple[object, ...]) -> Sheet:
    return Sheet(
        "t.csv", tuple(SheetRow(number, cells) for number, cells in enumerate(rows, start=1) if cells)
    )


def test_header_text_is_compared_without_width_case_or_spaces():
    assert normalise_header(" ＩＰＣ 分类号（主） ") == "ipc分类号(主)"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("专利名称", "title"),
        ("成果名称", "title"),
        ("申请号/专利号", "application_number"),
        ("专利（申请）号", "application_number"),
        ("发明人（以顿号分隔）", "inventors"),
        ("完成人", "inventors"),
        ("权利人/单位", "institution"),
        ("合作方式", "transfer_modes"),
        ("意向价格（万元）", "price_wan"),
        ("报价", "price_wan"),
        ("技术成熟度(TRL)", "trl"),
        ("行业", "field"),
        ("简介", "abstract"),
    ],
)
def test_offer_header_variants_map_to_their_field(header, field):
    assert SYNONYMS.field_for("offer", header) == field


def test_contract_amount_columns_in_yuan_and_wan_stay_different_fields():
    assert SYNONYMS.field_for("contract", "合同成交额（元）") == "amount_yuan"
    assert SYNONYMS.field_for("contract", "合同成交额(万元)") == "amount_wan"


def test_an_unlisted_note_naming_a_unit_is_not_dropped():
    assert SYNONYMS.field_for("contract", "技术交易额（万元）") is None


def test_an_unlisted_note_without_a_unit_is_dropped():
    assert SYNONYMS.field_for("contract", "所在镇（街道/园区）") == "town"


def test_a_header_listed_for_two_fields_is_refused_when_loading():
    with pytest.raises(ValueError):
        parse_header_synonyms({"offer": {"title": ["名称"], "abstract": ["名称"]}})


def test_the_header_row_is_found_under_title_and_blank_rows():
    sheet = read_sheet((SAMPLES / "tto_offers.xlsx").read_bytes(), "tto_offers.xlsx")

    header = locate_header(sheet, SYNONYMS, "offer", required=[("title",), ("application_number",)])

    assert header.row_number == 3
    assert header.columns[1] == "title"
    assert header.columns[15] == "abstract"
    assert header.notes == ("未识别的列已忽略：序号、申请日",)


def test_a_title_row_with_one_known_word_is_not_taken_for_the_header():
    sheet = _sheet(("名称",), ("专利名称", "申请号", "发明人"), ("甲", "201710601862.3", "王平"))

    assert locate_header(sheet, SYNONYMS, "offer", required=[]).row_number == 2


def test_a_header_missing_a_required_column_is_refused_naming_it():
    sheet = _sheet(("专利名称", "发明人", "权利人"), ("甲", "王平", "东南大学"))

    with pytest.raises(ImportFileError) as caught:
        locate_header(sheet, SYNONYMS, "offer", required=[("title",), ("application_number",)])

    assert caught.value.message == "第 1 行的表头缺少必需的列：「申请号」"


def test_a_sheet_without_a_header_is_refused():
    sheet = _sheet(("甲", "乙", "丙"), ("1", "2", "3"))

    with pytest.raises(ImportFileError) as caught:
        locate_header(sheet, SYNONYMS, "offer", required=[])

    assert (
        caught.value.message
        == "文件 t.csv 的前 15 行中没有找到表头，请确认表头含有「专利名称」「申请号」「专利类型」等列名"
    )


def test_a_header_below_row_fifteen_is_not_searched_for():
    filler = tuple((f"说明{i}",) for i in range(15))
    sheet = _sheet(*filler, ("专利名称", "申请号", "发明人"))

    with pytest.raises(ImportFileError):
        locate_header(sheet, SYNONYMS, "offer", required=[])


def test_a_repeated_column_keeps_the_first_and_says_so():
    sheet = _sheet(("专利名称", "申请号", "专利号", "发明人"))

    header = locate_header(sheet, SYNONYMS, "offer", required=[])

    assert header == HeaderRow(
        1, {0: "title", 1: "application_number", 3: "inventors"}, ("第 3 列「专利号」与第 2 列重复，已忽略",)
    )


def test_records_map_cells_to_fields_and_skip_blank_and_total_rows():
    sheet = _sheet(
        ("序号", "项目名称", "合同登记编号", "合同成交额（元）"),
        ("1", "甲", "2023320481000122", "100"),
        ("2", None, None, None),
        ("合计", None, None, "100"),
    )
    header = locate_header(sheet, SYNONYMS, "contract", required=[])

    assert list(records(sheet, header)) == [
        Record(2, {"title": "甲", "registration_number": "2023320481000122", "amount_yuan": "100"})
    ]
