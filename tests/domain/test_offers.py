from decimal import Decimal

import pytest

from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.institutions import Institution, InstitutionNormalizer
from matchmaker.domain.offers import OfferDraft, near_duplicate_title, split_names, validate_offer

FIELDS = (
    "新能源",
    "绿色储能",
    "智能电网",
    "智能装备",
    "动力电池",
    "新材料",
    "航空航天",
    "电子信息",
    "现代农业",
    "生物医药",
    "节能环保",
)
NORMALIZER = InstitutionNormalizer(
    [
        Institution("东南大学溧阳研究院", "东大溧阳研究院", ("东南大学",)),
        Institution("南京航空航天大学天目湖校区", "南航天目湖校区", ()),
    ]
)
BASE = {
    "title": "一种储能系统电池簇间环流抑制方法",
    "application_number": "201710601862.3",
    "patent_type": "发明",
    "institution": "东南大学溧阳研究院",
}


def _validate(**changes: object) -> OfferDraft:
    return validate_offer({**BASE, **changes}, fields=FIELDS, normalizer=NORMALIZER)


def _errors(**changes: object) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        _validate(**changes)
    return caught.value.by_field()


def test_a_complete_offer_becomes_a_draft_with_normalised_values():
    draft = _validate(
        application_number="ＣＮ 201710601862.3",
        patent_type="发明专利",
        legal_status="授权",
        ipc="H02J 7/00; h01m 10/44；H02J 7/00",
        inventors="邵林洋、邹晨；魏睿健",
        institution="东大溧阳研究院",
        transfer_modes="合作开发、转让",
        price_wan="50万",
        trl="TRL6",
        field="绿色储能",
        contact="曹林嘉 0519-87232611",
        abstract="  本发明公开了一种方法。 ",
    )

    assert draft == OfferDraft(
        title="一种储能系统电池簇间环流抑制方法",
        abstract="本发明公开了一种方法。",
        claims="",
        application_number="201710601862.3",
        patent_type="发明",
        legal_status="有效",
        ipc=("H02J 7/00", "H01M 10/44"),
        inventors=("邵林洋", "邹晨", "魏睿健"),
        institution="东南大学溧阳研究院",
        transfer_modes=("转让", "合作开发"),
        price_wan=50,
        price_max_wan=None,
        trl=6,
        field="绿色储能",
        contact="曹林嘉 0519-87232611",
        warnings=(),
    )
    assert draft.patent_key == "201710601862"


def test_every_field_error_is_reported_at_once():
    errors = _errors(title="", application_number="201710601862.4", trl="12", price_wan="-20", field="旅游")

    assert sorted(errors) == ["application_number", "field", "price_wan", "title", "trl"]
    assert errors["application_number"] == "申请号 201710601862.4 的校验位应为 3"


def test_a_title_over_200_characters_is_refused():
    assert _errors(title="一" * 201) == {"title": "专利名称不能超过 200 个字，现有 201 个字"}


def test_a_missing_application_number_is_refused():
    assert _errors(application_number=None) == {"application_number": "申请号不能为空"}


def test_pct_type_text_is_normalised_to_invention_with_a_warning():
    draft = _validate(application_number="201980037917.X", patent_type="发明专利（PCT）")

    assert (draft.patent_type, draft.warnings) == ("发明", ("专利类型「发明专利（PCT）」已按「发明」登记",))


def test_patent_type_is_taken_from_the_type_digit_when_left_empty():
    assert _validate(application_number="202320820267.X", patent_type="").patent_type == "实用新型"


def test_a_type_that_disagrees_with_the_type_digit_is_refused():
    assert _errors(application_number="202320820267.X", patent_type="发明") == {
        "patent_type": "专利类型「发明」与申请号 202320820267.X 不符：类型位 2 表示实用新型"
    }


def test_an_unknown_patent_type_is_refused():
    assert _errors(patent_type="软件著作权") == {
        "patent_type": "专利类型「软件著作权」无法识别，应为发明、实用新型、外观设计之一"
    }


@pytest.mark.parametrize(
    ("text", "status"), [("有效", "有效"), ("授权", "有效"), ("审中", "审中"), ("失效", "失效"), ("", None)]
)
def test_legal_status_spellings(text, status):
    assert _validate(legal_status=text).legal_status == status


def test_an_unknown_legal_status_is_refused():
    assert _errors(legal_status="不清楚") == {
        "legal_status": "法律状态「不清楚」无法识别，应为有效、审中、失效之一"
    }


def test_a_design_patent_carries_a_locarno_class():
    draft = _validate(application_number="202131166617.8", patent_type="外观设计", ipc="LOC 10-05")

    assert draft.ipc == ("LOC 10-05",)


def test_a_design_patent_with_an_ipc_code_is_refused():
    assert _errors(application_number="202131166617.8", patent_type="外观设计", ipc="G01N 21/956") == {
        "ipc": "外观设计专利应填写洛迦诺分类号（如 LOC 10-05），而不是 IPC 分类号"
    }


def test_an_invention_with_a_locarno_class_is_refused():
    assert _errors(ipc="LOC 10-05") == {
        "ipc": "发明专利应填写 IPC 分类号，洛迦诺分类号 LOC 10-05 只用于外观设计"
    }


def test_a_malformed_ipc_code_is_refused_naming_it():
    assert _errors(ipc="H01M; A61K 9/16") == {
        "ipc": "分类号 H01M 无法识别，应为 IPC（如 H01M 10/0525）或洛迦诺分类（如 LOC 13-02）"
    }


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("崔杰；王平；吴志军", ("崔杰", "王平", "吴志军")),
        ("崔杰、王平,吴志军，彭勇秀;谢俊", ("崔杰", "王平", "吴志军", "彭勇秀", "谢俊")),
        ("崔杰 王平  吴志军", ("崔杰", "王平", "吴志军")),
        ("John Smith、王平", ("John Smith", "王平")),
        ("王平、王平", ("王平",)),
        ("", ()),
    ],
)
def test_inventors_are_split_on_chinese_separators_and_spaces_between_names(text, names):
    assert split_names(text) == names


def test_an_unknown_institution_is_refused_naming_what_was_typed():
    assert _errors(institution="清华大学") == {
        "institution": "权利人「清华大学」不是平台已登记的机构，请核对单位名称"
    }


def test_an_empty_institution_is_refused():
    assert _errors(institution="  ") == {"institution": "权利人（所属单位）不能为空"}


def test_a_fuzzy_institution_match_is_accepted_with_a_warning():
    draft = _validate(institution="南京航天航空大学天目湖校区")

    assert draft.institution == "南京航空航天大学天目湖校区"
    assert draft.warnings == ("权利人「南京航天航空大学天目湖校区」已按「南京航空航天大学天目湖校区」登记",)


def test_transfer_modes_are_mapped_onto_the_vocabulary_in_its_order():
    assert _validate(transfer_modes="作价入股 / 独占、排他许可，普通许可").transfer_modes == (
        "独占许可",
        "排他许可",
        "普通许可",
        "作价入股",
    )


def test_licence_without_its_kind_is_read_as_non_exclusive_with_a_warning():
    draft = _validate(transfer_modes="许可")

    assert (draft.transfer_modes, draft.warnings) == (
        ("普通许可",),
        ("转化方式「许可」未写明独占、排他或普通，已按「普通许可」登记",),
    )


def test_an_unknown_transfer_mode_is_refused():
    assert _errors(transfer_modes="转让、赠送") == {
        "transfer_modes": "转化方式「赠送」无法识别，应为转让、独占许可、排他许可、普通许可、作价入股、合作开发之一"
    }


@pytest.mark.parametrize(
    ("value", "price_wan"), [("50", 50), ("50万", 50), ("20万元", 20), (80, 80), ("面议", None), (None, None)]
)
def test_prices_in_wan_yuan(value, price_wan):
    assert _validate(price_wan=value).price_wan == price_wan


def test_a_price_range_keeps_both_bounds():
    draft = _validate(price_wan="40-60")

    assert (draft.price_wan, draft.price_max_wan, draft.warnings) == (40, 60, ())


def test_a_negative_price_is_refused():
    assert _errors(price_wan="-20") == {"price_wan": "意向价格 -20 为负数，价格不能为负"}


@pytest.mark.parametrize("value", ["6", "TRL6", "trl 6", "TRL-6", "6级", "６", 6, Decimal(6)])
def test_readiness_level_spellings(value):
    assert _validate(trl=value).trl == 6


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12", "技术成熟度应在 1–9 之间，现为 12"),
        ("0", "技术成熟度应在 1–9 之间，现为 0"),
        ("-3", "技术成熟度应在 1–9 之间，现为 -3"),
        (Decimal("6.5"), "技术成熟度「6.5」应为 1–9 的整数，如 6、TRL6 或 6级"),
        ("较高", "技术成熟度「较高」应为 1–9 的整数，如 6、TRL6 或 6级"),
    ],
)
def test_readiness_outside_one_to_nine_is_refused(value, message):
    assert _errors(trl=value) == {"trl": message}


def test_an_industry_field_outside_the_list_is_refused():
    assert _errors(field="旅游") == {"field": f"所属领域「旅游」不在领域列表中，应为{'、'.join(FIELDS)}之一"}


def test_near_identical_title_with_an_inserted_qualifier_is_a_near_duplicate():
    assert (
        near_duplicate_title("一种芹菜类蔬菜采后气调保鲜方法", "一种新型芹菜类蔬菜采后气调保鲜方法") is True
    )


def test_titles_differing_only_in_punctuation_width_and_spaces_are_near_duplicates():
    assert near_duplicate_title("一种PCB焊点缺陷检测方法", "一种 ＰＣＢ 焊点缺陷检测方法。") is True


def test_a_substituted_word_is_another_invention_not_a_duplicate():
    assert near_duplicate_title("一种锂电池正极材料的制备方法", "一种锂电池负极材料的制备方法") is False


def test_a_short_title_contained_in_a_longer_one_is_not_a_duplicate():
    assert near_duplicate_title("一种电池", "一种电池管理系统") is False


def test_an_empty_title_is_never_a_duplicate():
    assert near_duplicate_title("", "") is False
