"""The offer import against samples/README.md, row by row, for the .xlsx and the .csv."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaker.domain.institutions import InstitutionNormalizer, load_institutions
from matchmaker.domain.offers import near_duplicate_keys
from matchmaker.importing.offers import ExistingOffers, _TitleIndex, preview_offers
from matchmaker.importing.report import ImportReport
from matchmaker.importing.sheets import ImportFileError, read_sheet

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
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
NORMALIZER = InstitutionNormalizer(load_institutions(ROOT / "seed" / "institutions.json"))
SEU = "东南大学溧阳研究院"
# README.md: the deliberately bad rows and what importing them must give.
ERROR_FIELDS = {
    9: "application_number",
    15: "title",
    21: "application_number",
    26: "trl",
    30: "price_wan",
    33: "application_number",
}
EXPECTED_CHECK_CHARS = {9: "X", 21: "2", 33: "1"}
DUPLICATE_ROWS = {40: 12, 42: 18}
VALID_ROWS = sorted(set(range(4, 44)) - set(ERROR_FIELDS) - set(DUPLICATE_ROWS))


def _preview(data: bytes, name: str, existing: ExistingOffers | None = None, **options: str) -> ImportReport:
    return preview_offers(
        read_sheet(data, name),
        normalizer=NORMALIZER,
        fields=FIELDS,
        existing=existing or ExistingOffers(),
        **options,
    )


def _sample(name: str, existing: ExistingOffers | None = None, **options: str) -> ImportReport:
    return _preview((SAMPLES / name).read_bytes(), name, existing, **options)


@pytest.fixture(params=["tto_offers.xlsx", "tto_offers.csv"])
def sample_name(request: pytest.FixtureRequest) -> str:
    return request.param


def test_the_sample_has_forty_rows_below_the_header_on_row_three(sample_name):
    report = _sample(sample_name)

    assert report.header_row == 3
    assert [r.row for r in report.results] == list(range(4, 44))


def test_the_sample_gives_the_documented_counts(sample_name):
    document = _sample(sample_name).to_json(committed=0)

    assert (document["rows"], document["valid"], document["committed"]) == (40, 32, 0)
    assert len(VALID_ROWS) == 32


def test_exactly_the_documented_rows_are_rejected_with_their_field(sample_name):
    errors = _sample(sample_name).to_json(committed=0)["errors"]

    assert {e["row"]: e["field"] for e in errors} == ERROR_FIELDS
    assert len(errors) == 6


def test_wrong_check_characters_are_rejected_with_the_expected_one(sample_name):
    errors = _sample(sample_name).to_json(committed=0)["errors"]

    assert {
        e["row"]: e["message"].split("应为 ")[-1] for e in errors if e["row"] in EXPECTED_CHECK_CHARS
    } == EXPECTED_CHECK_CHARS


def test_exactly_the_documented_rows_are_duplicates_of_earlier_rows(sample_name):
    report = _sample(sample_name)

    assert report.to_json(committed=0)["duplicates"] == [
        {"row": 40, "of": "第12行"},
        {"row": 42, "of": "第18行（标题几乎相同，需人工确认）"},
    ]
    assert {r.row: r.probable for r in report.with_status("duplicate")} == {40: False, 42: True}


def test_only_the_pct_row_carries_a_warning(sample_name):
    report = _sample(sample_name)

    assert {r.row: r.warnings for r in report.results if r.warnings} == {
        37: ("专利类型「发明专利（PCT）」已按「发明」登记",)
    }
    assert report.results[37 - 4].draft.patent_type == "发明"


def test_valid_rows_are_exactly_the_others_and_all_belong_to_one_institution(sample_name):
    report = _sample(sample_name)

    assert [r.row for r in report.with_status("valid")] == VALID_ROWS
    assert {d.institution for d in report.valid_drafts} == {SEU}


def test_the_duplicate_of_row_twelve_differs_only_by_its_prefix(sample_name):
    results = {r.row: r for r in _sample(sample_name).results}

    assert results[40].draft.application_number == results[12].draft.application_number == "201810882858.3"


def test_the_xlsx_and_the_csv_give_the_same_drafts():
    from_xlsx = _sample("tto_offers.xlsx")
    from_csv = _sample("tto_offers.csv")

    assert from_xlsx.results == from_csv.results


def test_a_gbk_csv_gives_the_same_result_as_the_utf8_one():
    utf8 = (SAMPLES / "tto_offers.csv").read_bytes()
    gbk = utf8.decode("utf-8-sig").encode("gbk")

    assert _preview(gbk, "gbk.csv").results == _sample("tto_offers.csv").results


def test_importing_the_sample_again_adds_nothing(sample_name):
    first = _sample(sample_name)
    valid = first.with_status("valid")
    ref_by_row = {r.row: f"已有成果 #{index}" for index, r in enumerate(valid, start=1)}
    existing = ExistingOffers(
        by_patent_key={r.draft.patent_key: ref_by_row[r.row] for r in valid},
        titles_by_institution={SEU: [(r.draft.title, ref_by_row[r.row]) for r in valid]},
    )

    second = _sample(sample_name, existing)

    assert second.to_json(committed=0)["valid"] == 0
    assert {r.row: r.duplicate_of for r in second.with_status("duplicate")} == {
        **ref_by_row,
        40: ref_by_row[12],
        42: f"{ref_by_row[18]}（标题几乎相同，需人工确认）",
    }
    assert [r.row for r in second.with_status("error")] == sorted(ERROR_FIELDS)


def test_a_researcher_of_another_institution_may_not_import_these_offers():
    report = _sample("tto_offers.csv", only_institution="南京航空航天大学天目湖校区")

    assert report.to_json(committed=0)["valid"] == 0
    assert [(e.field, e.message) for e in report.results[0].errors] == [
        ("institution", f"只能导入本单位（南京航空航天大学天目湖校区）的成果，本行权利人为「{SEU}」")
    ]
    assert [e.field for e in report.results[9 - 4].errors] == ["application_number", "institution"]


def test_a_researcher_of_the_owning_institution_imports_the_documented_rows():
    report = _sample("tto_offers.csv", only_institution=SEU)

    assert [r.row for r in report.with_status("valid")] == VALID_ROWS


def test_rows_without_an_owner_get_the_default_institution():
    data = "专利名称,申请号,专利类型\n一种芹菜保鲜方法,202310196836.2,发明\n".encode()

    report = _preview(data, "no_owner.csv", default_institution="东大溧阳研究院")

    assert [d.institution for d in report.valid_drafts] == [SEU]


def test_a_file_without_an_owner_column_and_no_default_asks_for_the_column():
    data = "专利名称,申请号,专利类型\n一种芹菜保鲜方法,202310196836.2,发明\n".encode()

    report = _preview(data, "no_owner.csv")

    assert (report.needs_mapping, report.missing, report.results) == (True, ("权利人",), ())


def test_a_file_without_a_header_is_refused():
    with pytest.raises(ImportFileError) as caught:
        _preview("甲,乙,丙\n1,2,3\n".encode(), "headless.csv")

    assert caught.value.message.startswith("文件 headless.csv 的前 15 行中没有找到表头")


def test_an_oversize_sample_is_refused_before_reading():
    with pytest.raises(ImportFileError):
        read_sheet((SAMPLES / "tto_offers.xlsx").read_bytes(), "tto_offers.xlsx", max_bytes=1024)


@st.composite
def _titles_with_insertions(draw: st.DrawFn) -> list[str]:
    """Random titles, many of them an earlier title with a short run inserted or removed somewhere."""
    titles: list[str] = []
    for _ in range(draw(st.integers(1, 25))):
        if titles and draw(st.booleans()):
            base = draw(st.sampled_from(titles))
            cut = draw(st.integers(0, len(base)))
            run = draw(st.text(alphabet="新型改进的", min_size=0, max_size=3))
            if draw(st.booleans()):
                titles.append(base[:cut] + run + base[cut:])
            else:
                titles.append(base[:cut] + base[cut + len(run) :])
        else:
            titles.append(draw(st.text(alphabet="一种芹菜保鲜方法装置系统", min_size=0, max_size=16)))
    return titles


@settings(max_examples=300, deadline=None)
@given(_titles_with_insertions())
def test_the_title_index_finds_the_same_earliest_near_duplicate_as_comparing_every_pair(titles):
    index = _TitleIndex()
    for position, title in enumerate(titles):
        brute_force = next(
            (str(i) for i, earlier in enumerate(titles[:position]) if near_duplicate_keys(title, earlier)),
            None,
        )

        assert index.find(title) == brute_force

        index.add(title, str(position))
