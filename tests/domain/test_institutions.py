import csv
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matchmaker.domain.identifiers import parse_credit_code
from matchmaker.domain.institutions import (
    Institution,
    InstitutionNormalizer,
    Resolution,
    load_institutions,
    normalize_name,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT
NUAA = "南京航空航天大学天目湖校区"
SEU = "东南大学溧阳研究院"
CQU = "重庆大学溧阳研究院"

INSTITUTIONS = load_institutions(ROOT / "seed" / "institutions.json")
NORMALIZER = InstitutionNormalizer(INSTITUTIONS)

# Every spelling named in eval/README.md, samples/README.md and samples/README.md.
DOCUMENTED_SPELLINGS = {
    NUAA: [
        "南京航空航天大学天目湖校区",
        "南航天目湖校区",
        "南京航空航天大学溧阳",
        "南航溧阳校区",
        "NUAA天目湖校区",
        "南京航空航天大学（天目湖校区）",
    ],
    SEU: [
        "东南大学溧阳研究院",
        "东大溧阳研究院",
        "东南大学 溧阳研究院",
        "东南大学溧阳研究院（筹）",
        "东南大学",
    ],
    CQU: [
        "重庆大学溧阳研究院",
        "重大溧阳研究院",
        "重庆大学溧阳智慧城市研究院",
        "重庆大学 溧阳研究院",
        "重庆大学（溧阳）研究院",
    ],
}

# Typos and variants that are in no alias list: the fuzzy step must catch them (the calibration's positives).
TYPOS = {
    "南京航天航空大学天目湖校区": NUAA,
    "南京航空航天大学天木湖校区": NUAA,
    "南京航空航天大学天目湖校": NUAA,
    "南京航空航天大学溧阳分校": NUAA,
    "南航天目湖": NUAA,
    "NUAA 天目湖": NUAA,
    "东南大学溧阳研究所": SEU,
    "东南大学溧阳分院": SEU,
    "东南大学漂阳研究院": SEU,
    "重庆大学溧阳研究所": CQU,
    "重庆大学溧阳研宄院": CQU,
    "重庆大学溧阳智能城市研究院": CQU,
}

# Other institutions, near-misses and noise: the calibration's negatives.
NOT_OURS = [
    "南京大学",
    "江苏理工学院",
    "东南大学成贤学院",
    "重庆邮电大学",
    "溧阳市人民医院",
    "常州大学",
    "南京理工大学",
    "西南大学",
    "东北大学",
    "东华大学",
    "江南大学",
    "重庆交通大学",
    "重庆工商大学",
    "东南大学医学院",
    "东南大学出版社",
    "南京航空航天大学金城学院",
    "南京航空航天大学徐州研究院",
    "北京航空航天大学",
    "北京航空航天大学天目湖校区",
    "重庆大学城市科技学院",
    "南京工业大学溧阳研究院",
    "常州大学溧阳研究院",
    "溧阳研究院",
    "天目湖",
    "溧阳市科技局",
    "hello world",
    "随便写点什么",
    "12345",
]


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [(s, c) for c, spellings in DOCUMENTED_SPELLINGS.items() for s in spellings],
)
def test_every_documented_spelling_resolves_exactly(spelling: str, canonical: str) -> None:
    assert NORMALIZER.resolve(spelling) == Resolution(canonical, 100.0, "exact")


@pytest.mark.parametrize(("spelling", "canonical"), TYPOS.items())
def test_typos_of_a_full_name_resolve_by_fuzzy_match(spelling: str, canonical: str) -> None:
    resolution = NORMALIZER.resolve(spelling)
    assert (resolution.canonical, resolution.method) == (canonical, "fuzzy")
    assert resolution.score >= NORMALIZER.threshold


@pytest.mark.parametrize("name", NOT_OURS)
def test_other_institutions_and_noise_are_unknown(name: str) -> None:
    resolution = NORMALIZER.resolve(name)
    assert (resolution.canonical, resolution.method, resolution.known) == (None, "unknown", False)
    assert resolution.score < NORMALIZER.threshold


def test_default_threshold_separates_the_calibration_lists() -> None:
    worst_typo = min(NORMALIZER.resolve(s).score for s in TYPOS)
    best_stranger = max(NORMALIZER.resolve(s).score for s in NOT_OURS)
    assert best_stranger < NORMALIZER.threshold <= worst_typo


def test_truncated_names_are_left_for_a_person() -> None:
    assert [NORMALIZER.resolve(s).method for s in ["东大溧阳", "重大溧阳", "东南大学溧阳"]] == ["unknown"] * 3


def test_empty_name_is_unknown_with_score_zero() -> None:
    assert NORMALIZER.resolve("  ") == Resolution(None, 0.0, "unknown")


def test_a_tie_between_two_institutions_is_unknown() -> None:
    normalizer = InstitutionNormalizer(
        [Institution("甲乙研究院", "甲乙", ()), Institution("甲丙研究院", "甲丙", ())], threshold=50
    )
    assert normalizer.resolve("甲丁研究院").method == "unknown"
    assert normalizer.resolve("甲乙研究所").canonical == "甲乙研究院"


def test_an_alias_claimed_by_two_institutions_is_refused() -> None:
    with pytest.raises(ValueError):
        InstitutionNormalizer(
            [Institution("甲研究院", "甲", ("共用",)), Institution("乙研究院", "乙", ("共用",))]
        )


def test_normalize_name_drops_width_spaces_brackets_and_preparatory_suffix() -> None:
    assert normalize_name(" 东南大学　溧阳研究院（筹） ") == "东南大学溧阳研究院"
    assert normalize_name("重庆大学(溧阳)研究院") == "重庆大学溧阳研究院"
    assert normalize_name("ＮＵＡＡ【天目湖校区】") == "nuaa天目湖校区"


def test_every_institution_in_the_eval_offers_resolves_to_its_documented_canonical() -> None:
    by_spelling = {s: c for c, spellings in DOCUMENTED_SPELLINGS.items() for s in spellings}
    names = [
        json.loads(line)["institution"] for line in (SHARED / "eval" / "offers.jsonl").open(encoding="utf-8")
    ]
    assert [NORMALIZER.resolve(n).canonical for n in names] == [by_spelling[n] for n in names]


def test_every_rights_holder_in_the_tto_sample_is_the_seu_institute() -> None:
    with (SHARED / "samples" / "tto_offers.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[3:]
    assert len(rows) == 40
    assert {NORMALIZER.resolve(row[8]).canonical for row in rows} == {SEU}


def test_contract_sample_parties_resolve_to_institutions_or_stay_unknown_for_companies() -> None:
    with (SHARED / "samples" / "contracts_export.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[2:]
    parties = [(row[4], row[5]) for row in rows]
    resolved = [(NORMALIZER.resolve(s).known, NORMALIZER.resolve(b).known) for s, b in parties]
    # CONTRACTS.md: the company is the seller in rows 30–33 and 35 (list positions 27–30 and 32).
    company_sells = {27, 28, 29, 30, 32}
    assert resolved == [(i not in company_sells, i in company_sells) for i in range(40)]


def test_companies_of_the_eval_needs_are_unknown() -> None:
    companies = [
        json.loads(line)["company"] for line in (SHARED / "eval" / "needs.jsonl").open(encoding="utf-8")
    ]
    assert [NORMALIZER.resolve(c).method for c in companies] == ["unknown"] * 50


@given(st.text(max_size=30))
def test_resolve_never_raises_and_known_means_a_canonical_name(name: str) -> None:
    resolution = NORMALIZER.resolve(name)
    assert resolution.known == (resolution.method != "unknown")
    assert resolution.canonical in {None, NUAA, SEU, CQU}


def test_seed_file_holds_the_three_institutions_with_valid_credit_codes() -> None:
    assert [i.canonical for i in INSTITUTIONS] == [NUAA, SEU, CQU]
    assert [parse_credit_code(i.credit_code) for i in INSTITUTIONS] == [i.credit_code for i in INSTITUTIONS]
    assert all(i.credit_code.startswith("12320481") for i in INSTITUTIONS)
    assert [i.kind for i in INSTITUTIONS] == ["高校校区", "研究院", "研究院"]
    assert all(i.description and i.short_name for i in INSTITUTIONS)
