"""Schema and invariants of the reference data and the demo data in ``seed/``.

The loader trusts these files, so every cross-reference (town, field, company, institution, owner, offer and need
titles) and every check character is verified here with the project's own validators. Failures list the
offending records, so each assertion compares a list of problems with ``[]``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from matchmaker.domain.identifiers import parse_application_number, parse_credit_code, parse_ipc
from matchmaker.domain.vocab import (
    ATTENDANCE,
    CONTRACT_TYPES,
    COOP_MODES,
    EVENT_STATUSES,
    LEGAL_STATUSES,
    MEETING_OUTCOMES,
    NEED_STATUSES,
    OFFER_STATUSES,
    PATENT_TYPES,
    ROLES,
    TRANSFER_MODES,
)

SEED = Path(__file__).resolve().parents[2] / "seed"

BRIEF_FIELDS = [
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
]
PLAN_PRIORITY_FIELDS = {"新能源", "绿色储能", "智能电网", "智能装备", "动力电池", "新材料"}
BRIEF_TOWNS = [
    "溧城街道",
    "昆仑街道",
    "古县街道",
    "埭头镇",
    "上黄镇",
    "戴埠镇",
    "天目湖镇",
    "别桥镇",
    "上兴镇",
    "竹箦镇",
    "南渡镇",
    "社渚镇",
    "溧阳高新区",
    "溧阳经济开发区",
    "天目湖旅游度假区",
]
INSTITUTIONS = {"南京航空航天大学天目湖校区", "东南大学溧阳研究院", "重庆大学溧阳研究院"}

# 溧阳市“十四五”知识产权主要指标目标表 (shared/seeds/000_f72d7f03ee822240.txt): category, name, unit, target.
INDICATOR_TABLE_14TH = [
    ("知识产权产出", "发明专利拥有量", "件", "3100"),
    ("知识产权产出", "高维持年限发明专利拥有量", "件", "1200"),
    ("知识产权产出", "累计PCT专利申请量", "件", "200"),
    ("知识产权产出", "有效注册商标量", "件", "15000"),
    ("知识产权产出", "累计马德里商标注册量", "件", "60"),
    ("知识产权产出", "地理标志商标量", "件", "4"),
    ("知识产权运用", "知识产权质押融资", "亿元", "11"),
    ("知识产权运用", "技术合同成交额", "亿元", "150"),
    ("知识产权运用", "年度地理标志产品销售额", "亿元", "10"),
    ("知识产权保护", "新增省级、常州市级“正版正货”示范街区", "个", "2"),
    ("知识产权保护", "全社会知识产权认知度", "%", "80"),
    ("知识产权保护", "全社会知识产权保护满意度", "%", "80"),
    ("知识产权保护", "省级知识产权示范园区", "个", "1"),
    ("知识产权管理", "新增贯标企业数", "户", "30"),
    ("知识产权管理", "万企拥有有效注册商标企业数", "户", "1200"),
    ("知识产权服务", "知识产权服务机构", "家", "8"),
    ("知识产权服务", "专利代理人", "人", "5"),
    ("知识产权服务", "知识产权专业服务人员", "人", "30"),
    ("知识产权人才", "企业知识产权总监", "人", "30"),
    ("知识产权人才", "企业知识产权工程师及品牌管理师", "人", "200"),
]

PHONE_CONTACT_RE = re.compile(r"^\S{2,4} 0519-8\d{7}$")
AMOUNT_RE = re.compile(r"^\d+(\.\d{1,2})?$")
DECIMAL_RE = re.compile(r"^\d+(\.\d+)?$")
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@cache
def load(name: str) -> Any:
    return json.loads((SEED / name).read_text(encoding="utf-8"))


def fields() -> list[dict[str, Any]]:
    return list(load("fields.json")["fields"])


def field_names() -> set[str]:
    return {f["name"] for f in fields()}


def towns() -> list[dict[str, Any]]:
    return list(load("towns.json")["towns"])


def companies() -> list[dict[str, Any]]:
    return list(load("demo/companies.json")["companies"])


def company_by_name() -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in companies()}


def offers() -> list[dict[str, Any]]:
    return list(load("demo/offers.json")["offers"])


def needs() -> list[dict[str, Any]]:
    return list(load("demo/needs.json")["needs"])


def users() -> list[dict[str, Any]]:
    return list(load("demo/users.json")["users"])


def user_by_name() -> dict[str, dict[str, Any]]:
    return {u["username"]: u for u in users()}


def event() -> dict[str, Any]:
    return dict(load("demo/event.json"))


def contracts() -> list[dict[str, Any]]:
    return list(load("demo/contracts.json")["contracts"])


def minutes(hhmm: str) -> int:
    parsed = time.fromisoformat(hhmm)
    return parsed.hour * 60 + parsed.minute


# --- reference data -------------------------------------------------------------------------------------


def test_fields_are_the_eleven_fields_of_the_brief_in_order() -> None:
    assert [f["name"] for f in fields()] == BRIEF_FIELDS


def test_exactly_the_plans_six_fields_are_marked_as_priority() -> None:
    assert {f["name"] for f in fields() if f["plan_priority"] is True} == PLAN_PRIORITY_FIELDS
    assert [f["name"] for f in fields() if not isinstance(f["plan_priority"], bool)] == []


def test_every_field_has_a_description_and_a_few_examples() -> None:
    bad = [
        f["name"]
        for f in fields()
        if not f["description"] or not 2 <= len(f["examples"]) <= 6 or not all(f["examples"])
    ]
    assert bad == []


def test_modern_agriculture_names_liyangs_three_specialities() -> None:
    agriculture = next(f for f in fields() if f["name"] == "现代农业")
    text = agriculture["description"] + "".join(agriculture["examples"])
    assert [s for s in ("溧阳白芹", "天目湖白茶", "溧阳青虾") if s not in text] == []


def test_towns_are_the_fifteen_of_the_brief_with_a_known_kind() -> None:
    assert [t["name"] for t in towns()] == BRIEF_TOWNS
    assert Counter(t["kind"] for t in towns()) == Counter({"街道": 3, "镇": 9, "园区": 3})


def test_contract_fields_cover_the_registration_classes_and_map_to_industry_fields() -> None:
    rows = load("contract_fields.json")["contract_fields"]
    names = [r["name"] for r in rows]
    assert sorted(names) == sorted(
        [
            "电子信息",
            "先进制造",
            "航空航天",
            "现代交通",
            "农业",
            "新材料及其应用",
            "新能源与高效节能",
            "环境保护与资源综合利用",
            "生物、医药和医疗器械",
            "城市建设与社会发展",
            "核应用",
        ]
    )
    assert [r["name"] for r in rows if r["field"] not in field_names()] == []


def test_indicator_table_of_the_14th_plan_is_complete_with_the_documents_targets() -> None:
    plan = next(p for p in load("indicators.json")["plans"] if p["code"] == "14th")
    rows = [(i["category"], i["name"], i["unit"], i["target"]) for i in plan["indicators"]]
    assert rows == INDICATOR_TABLE_14TH
    assert (plan["name"], plan["start_year"], plan["end_year"]) == (
        "溧阳市“十四五”知识产权发展规划",
        2021,
        2025,
    )


def test_every_indicator_has_a_unique_code_a_known_kind_and_decimal_figures() -> None:
    problems: list[tuple[Any, ...]] = []
    for plan in load("indicators.json")["plans"]:
        codes = [i["code"] for i in plan["indicators"]]
        if len(codes) != len(set(codes)):
            problems.append((plan["code"], "duplicate codes"))
        for i in plan["indicators"]:
            if i["kind"] not in ("cumulative", "annual", "stock", "level"):
                problems.append((i["code"], i["kind"]))
            if i["source"] not in ("contracts", "pledges", "manual") or not DECIMAL_RE.match(i["target"]):
                problems.append((i["code"], i["source"], i["target"]))
            if "baseline" in i and not DECIMAL_RE.match(i["baseline"]["value"]):
                problems.append((i["code"], i["baseline"]))
    assert problems == []


def test_technology_contract_turnover_is_cumulative_and_computed_from_contracts() -> None:
    plan = next(p for p in load("indicators.json")["plans"] if p["code"] == "14th")
    computed = [(i["name"], i["kind"], i["unit"]) for i in plan["indicators"] if i["source"] == "contracts"]
    assert computed == [("技术合同成交额", "cumulative", "亿元")]


def test_indicator_kinds_follow_the_wording_of_the_plan() -> None:
    plan = next(p for p in load("indicators.json")["plans"] if p["code"] == "14th")
    kind = {i["name"]: i["kind"] for i in plan["indicators"]}
    assert (
        kind["累计PCT专利申请量"],
        kind["发明专利拥有量"],
        kind["年度地理标志产品销售额"],
        kind["全社会知识产权认知度"],
        kind["新增贯标企业数"],
    ) == ("cumulative", "stock", "annual", "level", "cumulative")


# --- demo companies and users ---------------------------------------------------------------------------


def test_demo_has_at_least_twenty_companies_in_at_least_eight_towns() -> None:
    assert len(companies()) >= 20
    assert len({c["town"] for c in companies()}) >= 8


def test_company_credit_codes_are_valid_liyang_enterprise_codes_and_distinct() -> None:
    bad = [
        c["credit_code"]
        for c in companies()
        if parse_credit_code(c["credit_code"]) != c["credit_code"]
        or not c["credit_code"].startswith("91320481")
    ]
    assert bad == []
    assert len({c["credit_code"] for c in companies()}) == len(companies())
    assert len({c["name"] for c in companies()}) == len(companies())


def test_companies_reference_known_towns_and_fields() -> None:
    bad = [
        c["name"]
        for c in companies()
        if c["town"] not in BRIEF_TOWNS or c["field"] not in field_names() or not c["description"]
    ]
    assert bad == []


def test_usernames_are_unique_ascii_and_roles_known() -> None:
    names = [u["username"] for u in users()]
    assert len(names) == len(set(names))
    assert [n for n in names if not re.fullmatch(r"[a-z][a-z0-9_]{2,31}", n)] == []
    assert [u["username"] for u in users() if u["role"] not in ROLES] == []


def test_demo_accounts_cover_every_role_in_the_required_numbers() -> None:
    roles = Counter(u["role"] for u in users())
    assert (roles["admin"] >= 1, roles["bureau"] >= 1, roles["organizer"] >= 2, roles["sme"] >= 6) == (
        True,
        True,
        True,
        True,
    )
    researchers = Counter(u["institution"] for u in users() if u["role"] == "researcher")
    assert researchers == Counter({name: 2 for name in INSTITUTIONS})


def test_sme_accounts_are_bound_to_distinct_demo_companies() -> None:
    codes = {c["credit_code"] for c in companies()}
    bound = [u["company_credit_code"] for u in users() if u["role"] == "sme"]
    assert [c for c in bound if c not in codes] == []
    assert len(bound) == len(set(bound))


def test_only_researchers_and_smes_are_bound_and_passwords_are_demo_passwords() -> None:
    bad = [
        u["username"]
        for u in users()
        if ("institution" in u) != (u["role"] == "researcher")
        or ("company_credit_code" in u) != (u["role"] == "sme")
        or u["password"] != f"demo-{u['role']}-2026"
        or not re.fullmatch(r"[a-z0-9_.]+@[a-z0-9.-]+\.[a-z]+", u["email"])
        or not u["display_name"]
    ]
    assert bad == []


# --- demo offers ----------------------------------------------------------------------------------------


def test_demo_has_at_least_64_offers_over_all_institutions_and_fields() -> None:
    assert len(offers()) >= 64
    assert {o["institution"] for o in offers()} == INSTITUTIONS
    assert {o["field"] for o in offers()} == set(BRIEF_FIELDS)


def test_offers_are_weighted_to_the_plans_priority_fields() -> None:
    priority = sum(o["field"] in PLAN_PRIORITY_FIELDS for o in offers())
    assert priority * 3 >= len(offers()) * 2


def test_institutions_of_offers_are_canonical_names_of_the_institution_seed() -> None:
    canonical = {i["canonical"] for i in load("institutions.json")}
    assert {o["institution"] for o in offers()} - canonical == set()


def test_offer_application_numbers_have_valid_check_characters_and_are_distinct() -> None:
    parsed = [parse_application_number(o["application_number"]) for o in offers()]
    assert len({p.digits for p in parsed}) == len(offers())
    assert [
        o["application_number"]
        for o in offers()
        if not re.fullmatch(r"(CN|ZL)?\d{12}\.[0-9X]", o["application_number"])
    ] == []


def test_offer_patent_type_agrees_with_the_type_digit_and_legal_status() -> None:
    bad = []
    for o in offers():
        number = parse_application_number(o["application_number"])
        if o["patent_type"] not in PATENT_TYPES or number.patent_type != o["patent_type"]:
            bad.append(o["title"])
        if o["legal_status"] not in LEGAL_STATUSES:
            bad.append(o["title"])
        if o["legal_status"] == "审中" and (o["patent_type"] != "发明" or number.granted):
            bad.append(o["title"])
    assert bad == []


def test_offer_classes_are_normalised_ipc_codes_or_locarno_classes_for_designs() -> None:
    bad = []
    for o in offers():
        if not 1 <= len(o["ipc"]) <= 3 or any(parse_ipc(code) != code for code in o["ipc"]):
            bad.append(o["title"])
        is_design = o["patent_type"] == "外观设计"
        if any(code.startswith("LOC ") != is_design for code in o["ipc"]):
            bad.append(o["title"])
    assert bad == []


def test_offer_texts_have_the_lengths_of_the_brief_and_titles_are_unique() -> None:
    bad = [o["title"] for o in offers() if not 120 <= len(o["abstract"]) <= 300 or not o["title"]]
    assert bad == []
    assert len({o["title"] for o in offers()}) == len(offers())
    with_boilerplate = sum(o["abstract"].startswith(("本发明", "本实用新型", "本外观设计")) for o in offers())
    with_claims = sum(bool(o["claims"]) for o in offers())
    assert (with_boilerplate * 2 > len(offers()), 0 < with_claims < len(offers())) == (True, True)


def test_offer_fields_use_the_vocabularies_and_ranges_of_the_brief() -> None:
    bad = [
        o["title"]
        for o in offers()
        if not o["transfer_modes"]
        or set(o["transfer_modes"]) - set(TRANSFER_MODES)
        or not 2 <= len(o["inventors"]) <= 5
        or len(set(o["inventors"])) != len(o["inventors"])
        or not (o["price_wan"] is None or (type(o["price_wan"]) is int and o["price_wan"] >= 0))
        or type(o["trl"]) is not int
        or not 1 <= o["trl"] <= 9
        or o["field"] not in field_names()
        or o["status"] not in OFFER_STATUSES
        or not PHONE_CONTACT_RE.match(o["contact"])
    ]
    assert bad == []


def test_offers_are_mostly_published_with_a_few_in_the_other_states() -> None:
    statuses = Counter(o["status"] for o in offers())
    assert statuses["发布"] * 4 >= len(offers()) * 3
    assert {"草稿", "已转化", "撤回"} <= set(statuses)


def test_every_offer_is_owned_by_a_researcher_of_its_institution() -> None:
    accounts = user_by_name()
    bad = [
        o["title"]
        for o in offers()
        if o["owner"] not in accounts
        or accounts[o["owner"]]["role"] != "researcher"
        or accounts[o["owner"]]["institution"] != o["institution"]
    ]
    assert bad == []


# --- demo needs -----------------------------------------------------------------------------------------


def test_demo_has_at_least_28_needs_from_demo_companies() -> None:
    assert len(needs()) >= 28
    assert [n["title"] for n in needs() if n["company"] not in company_by_name()] == []
    assert len({n["title"] for n in needs()}) == len(needs())


def test_needs_are_owned_by_an_sme_account_of_their_company() -> None:
    accounts = user_by_name()
    by_name = company_by_name()
    bad = [
        n["title"]
        for n in needs()
        if n["owner"] not in accounts
        or accounts[n["owner"]]["role"] != "sme"
        or accounts[n["owner"]]["company_credit_code"] != by_name[n["company"]]["credit_code"]
    ]
    assert bad == []


def test_need_fields_use_the_vocabularies_and_ranges_of_the_brief() -> None:
    bad = []
    for n in needs():
        low, high = n["budget_min_wan"], n["budget_max_wan"]
        budget_ok = all(b is None or (type(b) is int and b >= 0) for b in (low, high)) and (
            low is None or high is None or low <= high
        )
        if (
            not budget_ok
            or not 80 <= len(n["description"]) <= 250
            or not n["expected_outcome"]
            or n["field"] not in field_names()
            or not n["coop_modes"]
            or set(n["coop_modes"]) - set(COOP_MODES)
            or n["status"] not in NEED_STATUSES
            or date.fromisoformat(n["deadline"]).year != 2027
            or type(n["contact_public"]) is not bool
            or type(n["budget_public"]) is not bool
            or not PHONE_CONTACT_RE.match(n["contact"])
        ):
            bad.append(n["title"])
    assert bad == []


def test_needs_are_mostly_open() -> None:
    statuses = Counter(n["status"] for n in needs())
    assert statuses["开放"] * 3 >= len(needs()) * 2


# --- demo event -----------------------------------------------------------------------------------------


def slot_starts(ev: dict[str, Any]) -> list[str]:
    """Slot starts of the event: every ``slot_minutes`` from start to end, skipping the breaks."""
    breaks = [(minutes(b["start"]), minutes(b["end"])) for b in ev["breaks"]]
    out, t = [], minutes(ev["start_time"])
    while t + ev["slot_minutes"] <= minutes(ev["end_time"]):
        inside = next((e for s, e in breaks if s <= t < e), None)
        if inside is not None:
            t = inside
            continue
        out.append(f"{t // 60:02d}:{t % 60:02d}")
        t += ev["slot_minutes"]
    return out


def test_event_is_a_finished_afternoon_of_twenty_minute_slots_with_six_tables() -> None:
    ev = event()
    assert (ev["status"], ev["start_time"], ev["end_time"], ev["slot_minutes"]) == (
        "已结束",
        "14:00",
        "17:00",
        20,
    )
    assert ev["status"] in EVENT_STATUSES
    assert ev["tables"] == [f"{i}号桌" for i in range(1, 7)]
    assert [b for b in ev["breaks"] if not (HHMM_RE.match(b["start"]) and HHMM_RE.match(b["end"]))] == []
    assert user_by_name()[ev["organizer"]]["role"] == "organizer"
    date.fromisoformat(ev["date"])


def test_event_meetings_reference_demo_offers_and_needs_at_valid_slots_and_tables() -> None:
    ev = event()
    offer_titles = {o["title"] for o in offers()}
    need_titles = {n["title"] for n in needs()}
    starts = slot_starts(ev)
    bad = [
        m
        for m in ev["meetings"]
        if m["offer_title"] not in offer_titles
        or m["need_title"] not in need_titles
        or m["start"] not in starts
        or m["table"] not in ev["tables"]
        or m["attendance"] not in ATTENDANCE
        or m["outcome"] not in MEETING_OUTCOMES
    ]
    assert bad == []
    assert 10 <= len(ev["meetings"]) <= 14


def test_nobody_and_no_table_is_in_two_meetings_at_once_and_pairs_meet_once() -> None:
    ev = event()
    offer_owner = {o["title"]: o["owner"] for o in offers()}
    need_company = {n["title"]: n["company"] for n in needs()}
    tables = Counter((m["start"], m["table"]) for m in ev["meetings"])
    researchers = Counter((m["start"], offer_owner[m["offer_title"]]) for m in ev["meetings"])
    firms = Counter((m["start"], need_company[m["need_title"]]) for m in ev["meetings"])
    pairs = Counter((m["offer_title"], m["need_title"]) for m in ev["meetings"])
    clashes = [k for counter in (tables, researchers, firms, pairs) for k, n in counter.items() if n > 1]
    assert clashes == []


def test_absent_meetings_have_no_result_and_at_least_one_meeting_was_signed() -> None:
    meetings = event()["meetings"]
    assert [m for m in meetings if m["attendance"] == "缺席" and m["outcome"] != "无果"] == []
    assert sum(m["outcome"] == "签约" for m in meetings) >= 1


# --- demo contracts -------------------------------------------------------------------------------------


def test_contract_registration_numbers_are_unique_and_start_with_the_registration_year() -> None:
    numbers = [c["registration_number"] for c in contracts()]
    assert len(numbers) == len(set(numbers))
    assert [
        c["registration_number"]
        for c in contracts()
        if not re.fullmatch(r"\d{16}", c["registration_number"])
        or c["registration_number"][:4] != c["registered_on"][:4]
    ] == []


def test_contract_amounts_are_exact_decimal_strings_with_technology_not_above_total() -> None:
    bad = [
        c["registration_number"]
        for c in contracts()
        if not isinstance(c["amount_yuan"], str)
        or not isinstance(c["technology_amount_yuan"], str)
        or not AMOUNT_RE.match(c["amount_yuan"])
        or not AMOUNT_RE.match(c["technology_amount_yuan"])
        or not Decimal(0) < Decimal(c["technology_amount_yuan"]) <= Decimal(c["amount_yuan"])
    ]
    assert bad == []


def test_contracts_fall_in_the_plan_period_and_are_registered_after_signing() -> None:
    bad = [
        c["registration_number"]
        for c in contracts()
        if not date.fromisoformat(c["signed_on"]) <= date.fromisoformat(c["registered_on"])
        or not 2021 <= date.fromisoformat(c["registered_on"]).year <= 2025
    ]
    assert bad == []
    assert 10 <= len(contracts()) <= 15


def test_contracts_are_between_an_institution_and_a_demo_company_in_its_town() -> None:
    by_name = company_by_name()
    contract_fields = {r["name"] for r in load("contract_fields.json")["contract_fields"]}
    bad = [
        c["registration_number"]
        for c in contracts()
        if c["seller"] not in INSTITUTIONS
        or c["contract_type"] not in CONTRACT_TYPES
        or c["buyer"]["name"] not in by_name
        or by_name[c["buyer"]["name"]]["credit_code"] != c["buyer"]["credit_code"]
        or by_name[c["buyer"]["name"]]["town"] != c["town"]
        or c["field"] not in contract_fields
    ]
    assert bad == []


def test_contracts_that_name_an_offer_are_sold_by_its_institution() -> None:
    institution_of = {o["title"]: o["institution"] for o in offers()}
    bad = [
        c["registration_number"]
        for c in contracts()
        if "offer_title" in c and institution_of.get(c["offer_title"]) != c["seller"]
    ]
    assert bad == []


def test_exactly_one_contract_comes_from_the_signed_meeting_of_the_event() -> None:
    ev = event()
    signed = {(m["offer_title"], m["need_title"]) for m in ev["meetings"] if m["outcome"] == "签约"}
    linked = [c for c in contracts() if "meeting" in c]
    assert len(linked) == 1
    meeting = linked[0]["meeting"]
    assert (meeting["event"], (meeting["offer_title"], meeting["need_title"]) in signed) == (ev["name"], True)
    assert linked[0]["offer_title"] == meeting["offer_title"]
    assert linked[0]["signed_on"] >= ev["date"]
