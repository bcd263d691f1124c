"""Column recognition: header wording, content, units, the person's mapping."""

from decimal import Decimal
from pathlib import Path

import pytest

from matchmaker.domain.institutions import InstitutionNormalizer, load_institutions
from matchmaker.importing.columns import detect, header_parts, records
from matchmaker.importing.headers import load_header_synonyms
from matchmaker.importing.kinds import CONTRACT, OFFER
from matchmaker.importing.recognisers import recognisers
from matchmaker.importing.sheets import ImportFileError, Sheet, SheetRow

ROOT = Path(__file__).resolve().parents[2]
NORMALIZER = InstitutionNormalizer(load_institutions(ROOT / "seed" / "institutions.json"))
RECOGNISERS = recognisers(lambda text: NORMALIZER.resolve(text).canonical is not None)
SYNONYMS = load_header_synonyms()


def _sheet(*rows: tuple[object, ...]) -> Sheet:
    return Sheet("t.xlsx", tuple(SheetRow(n, cells) for n, cells in enumerate(rows, start=1) if cells))


def _fields(detection) -> dict[str, str]:
    return {c.header: c.field for c in detection.columns}


@pytest.mark.parametrize(
    ("header", "base", "unit"),
    [
        ("合同成交额（万元）", "合同成交额", "万元"),
        ("合同金额(元)", "合同金额", "元"),
        ("*成交金额/万元", "成交金额", "万元"),
        ("意向价格【单位：万元】", "意向价格", "万元"),
        (" 专利 名称 ", "专利名称", None),
    ],
)
def test_a_header_is_split_into_its_words_and_its_unit(header, base, unit):
    assert header_parts(header)[1:] == (base, unit)


def test_headers_are_matched_exactly_by_base_and_by_a_contained_synonym():
    sheet = _sheet(
        ("发明名称", "专利申请号码", "法律状态/事件", "参考价格", "可转化方式", "专利权人", "序号"),
        ("一种芹菜保鲜方法", "202310196836.2", "授权", "20~30", "转让", "东南大学", 1),
    )

    detection = detect(sheet, OFFER, SYNONYMS, RECOGNISERS)

    assert _fields(detection) == {
        "发明名称": "title",
        "专利申请号码": "application_number",
        "法律状态/事件": "legal_status",
        "参考价格": "price_wan",
        "可转化方式": "transfer_modes",
        "专利权人": "institution",
        "序号": None,
    }
    assert detection.missing == ()
    reasons = {c.header: c.reason for c in detection.columns}
    assert reasons["专利申请号码"].endswith("100% 的值是专利申请号")
    assert reasons["序号"] == "未识别，已忽略"


def test_a_column_with_an_unknown_header_is_found_by_its_content():
    sheet = _sheet(
        ("合同登记编号", "项目名称", "合同类型", "卖方名称", "买方名称", "代码", "合同成交额（元）", "签订日期", "登记日期"),
        ("2023320481000122", "x", "技术开发", "东南大学", "甲公司", "91320481MA1WQ3K729", 100, "2023-04-26", "2023-05-04"),
    )  # fmt: skip

    detection = detect(sheet, CONTRACT, SYNONYMS, RECOGNISERS)

    assert _fields(detection)["代码"] == "buyer_credit_code"
    assert detection.missing == ()


def test_two_date_columns_of_unknown_wording_are_left_to_the_person():
    sheet = _sheet(
        ("合同登记编号", "项目名称", "合同类型", "卖方名称", "买方名称", "信用代码", "合同金额", "甲日", "乙日"),
        ("2023320481000122", "x", "技术开发", "东南大学", "甲公司", "91320481MA1WQ3K729", 100, "2023-04-26", "2023-05-04"),
    )  # fmt: skip

    detection = detect(sheet, CONTRACT, SYNONYMS, RECOGNISERS)

    assert detection.missing == (("signed_on",), ("registered_on",))


def test_a_unit_note_above_the_header_turns_wan_into_yuan_exactly():
    sheet = _sheet(
        ("技术合同登记明细",),
        ("金额单位：万元",),
        ("登记号", "合同名称", "类型", "卖方", "买方", "信用代码", "合同金额", "签订时间", "登记时间"),
        ("2023320481000122", "x", "技术开发", "东南大学", "甲公司", "91320481MA1WQ3K729", Decimal("12.5"), "2023-04-26", "2023-05-04"),
    )  # fmt: skip

    detection = detect(sheet, CONTRACT, SYNONYMS, RECOGNISERS)
    [record] = records(sheet, CONTRACT, detection)

    assert (detection.header_row, record.values["amount_yuan"]) == (3, "12.5万")
    amount = next(c for c in detection.columns if c.field == "amount_yuan")
    assert amount.reason.endswith("单位为万元，已换算为元")


def test_a_unit_row_under_the_header_is_read_and_skipped():
    sheet = _sheet(
        ("专利名称", "申请号", "权利人", "转让价格"),
        (None, None, None, "（元）"),
        ("一种芹菜保鲜方法", "202310196836.2", "东南大学", 500000),
    )

    detection = detect(sheet, OFFER, SYNONYMS, RECOGNISERS)
    [record] = records(sheet, OFFER, detection)

    assert (record.row_number, record.values["price_wan"]) == (3, 50)


def test_the_persons_mapping_wins_over_detection_and_a_missing_column_is_refused():
    sheet = _sheet(
        ("成果", "编号", "归属", "名称"), ("一种芹菜保鲜方法", "202310196836.2", "东南大学", "别的")
    )

    detection = detect(
        sheet, OFFER, SYNONYMS, RECOGNISERS, overrides={"title": "成果", "application_number": "B"}
    )

    assert (_fields(detection)["成果"], _fields(detection)["编号"], _fields(detection)["名称"]) == (
        "title",
        "application_number",
        None,
    )
    with pytest.raises(ImportFileError) as caught:
        detect(sheet, OFFER, SYNONYMS, RECOGNISERS, overrides={"title": "成果名"})
    assert (
        caught.value.message == "指定给专利名称的列「成果名」不在表头中；表头的列有：成果、编号、归属、名称"
    )


def test_footnote_and_total_rows_are_not_records():
    sheet = _sheet(
        ("专利名称", "申请号", "权利人"),
        ("一种芹菜保鲜方法", "202310196836.2", "东南大学"),
        ("合计", None, None),
        ("注：价格单位为万元",),
        ("注塑件缺陷检测方法", None, None),
    )

    detection = detect(sheet, OFFER, SYNONYMS, RECOGNISERS)

    assert [r.row_number for r in records(sheet, OFFER, detection)] == [2, 5]
