"""Value spellings from seed/values.json, and the questions a preview asks about the rest."""

from pathlib import Path

import pytest

from matchmaker.domain.institutions import InstitutionNormalizer, load_institutions
from matchmaker.importing.offers import ExistingOffers, preview_offers
from matchmaker.importing.rows import Choices, parse_decisions
from matchmaker.importing.sheets import read_sheet
from matchmaker.importing.values import load_value_tables, normalise_value, parse_value_tables

ROOT = Path(__file__).resolve().parents[2]
NORMALIZER = InstitutionNormalizer(load_institutions(ROOT / "seed" / "institutions.json"))
FIELDS = ("新能源", "绿色储能", "动力电池", "现代农业", "生物医药")
TABLES = load_value_tables()


@pytest.mark.parametrize(
    ("vocabulary", "written", "value"),
    [
        ("legal_status", "授权", "有效"),
        ("legal_status", "专利权维持", "有效"),
        ("legal_status", "实审", "审中"),
        ("legal_status", "实质审查的生效", "审中"),
        ("legal_status", "未缴年费专利权终止", "失效"),
        ("legal_status", "授权后主动放弃", "失效"),
        ("legal_status", "视为撤回", "失效"),
        ("patent_type", "发明专利", "发明"),
        ("patent_type", "实用新型专利", "实用新型"),
        ("patent_type", "外观", "外观设计"),
        ("field", "新能源产业", "新能源"),
        ("field", "储能领域", "绿色储能"),
        ("field", "锂电池行业", "动力电池"),
        ("field", "医药", "生物医药"),
    ],
)
def test_spellings_offices_use_read_as_the_platform_value(vocabulary, written, value):
    assert normalise_value(TABLES, vocabulary, written).value == value


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("转让+独占许可", "转让、独占许可"),
        ("合作开发；作价入股", "合作开发、作价入股"),
        ("专利转让\n技术入股", "转让、作价入股"),
    ],
)
def test_multi_value_cells_are_split_on_any_separator(written, value):
    assert normalise_value(TABLES, "transfer_modes", written).value == value


def test_an_unknown_part_passes_through_and_is_reported():
    found = normalise_value(TABLES, "transfer_modes", "转让、卖掉")

    assert (found.value, found.unknown) == ("转让、卖掉", ("卖掉",))


@pytest.mark.parametrize("written", ["TRL5", "TRL-5", "5级", "ＴＲＬ５", "第5级", "技术成熟度：5"])
def test_trl_spellings(written):
    assert TABLES.trl_text(written) == "5"


def test_a_spelling_listed_for_two_values_is_refused_when_loading():
    with pytest.raises(ValueError, match="授权"):
        parse_value_tables(
            {"vocabularies": {"legal_status": {"values": {"有效": ["授权"], "失效": ["授权"]}}}}
        )


CSV = (
    "专利名称,申请号,权利人,法律状态,意向价格,所属领域,技术成熟度\n"
    "一种芹菜保鲜方法,202310196836.2,东南大学,状态不明,价格面议,农业领域,TRL-6\n"
    "一种储能电池热管理方法,202310198211.X,东南大学,状态不明,20~30,储能产业,5级\n"
).encode()


def test_an_unknown_value_is_asked_once_and_the_answer_imports_every_row():
    def preview(choices=None):
        return preview_offers(
            read_sheet(CSV, "v.csv"),
            normalizer=NORMALIZER,
            fields=FIELDS,
            existing=ExistingOffers(),
            choices=choices,
        )

    first = preview()
    [question] = first.questions
    assert (question.label, question.value, question.rows, question.choices) == (
        "法律状态",
        "状态不明",
        (2, 3),
        ("有效", "审中", "失效"),
    )
    assert len(first.with_status("error")) == 2

    _, answers = parse_decisions("offer", [], ["法律状态:状态不明=有效"])
    second = preview(Choices(answers=answers))

    drafts = second.valid_drafts
    assert [(d.legal_status, d.price_wan, d.price_max_wan, d.field, d.trl) for d in drafts] == [
        ("有效", None, None, "现代农业", 6),
        ("有效", 20, 30, "绿色储能", 5),
    ]
    assert second.questions == ()


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("颜色=A", "专利成果没有名为「颜色」的字段"),
        ("法律状态:授权=很好", "法律状态的取值应为有效、审中、失效之一，不是「很好」"),
        ("专利名称:x=y", "专利名称不是有固定取值的字段，不需要 --value"),
    ],
)
def test_malformed_decisions_are_refused_in_chinese(item, message):
    maps, values = ([], [item]) if ":" in item else ([item], [])
    with pytest.raises(ValueError) as caught:
        parse_decisions("offer", maps, values)
    assert str(caught.value).startswith(message)
