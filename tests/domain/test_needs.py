"""Need and company validation: every field's problem at once, in Chinese, nothing half-accepted."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from matchmaker.domain.companies import validate_company
from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.needs import budget_text, check_transition, validate_need

FIELDS = ("动力电池", "绿色储能")
TODAY = date(2026, 6, 1)


def need(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "电芯放一周就鼓起来", "description": "化成后搁置一周，部分电芯明显鼓胀。", "expected_outcome": "工艺方案",
        "field": "动力电池", "budget_min_wan": "20", "budget_max_wan": "80", "coop_modes": ["转让", "合作开发"],
        "deadline": "2026-12-31", "contact": "李工 13800000000", "contact_public": "", "budget_public": "1",
    }  # fmt: skip
    base.update(overrides)
    return base


def errors_of(raw: dict[str, Any], **kw: Any) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        validate_need(raw, fields=FIELDS, today=TODAY, **kw)
    return caught.value.by_field()


def test_a_complete_need_becomes_a_draft_with_whole_wan_and_switches() -> None:
    draft = validate_need(need(), fields=FIELDS, today=TODAY)
    assert (draft.budget_min_wan, draft.budget_max_wan, draft.coop_modes) == (20, 80, ("转让", "合作开发"))
    assert (draft.deadline, draft.contact_public, draft.budget_public) == (date(2026, 12, 31), False, True)


def test_every_bad_field_is_reported_at_once() -> None:
    errors = errors_of(
        need(
            title="",
            description="",
            field="航天",
            budget_min_wan="abc",
            coop_modes=["捐赠"],
            deadline="2026-02-30",
            contact="",
        )
    )
    assert sorted(errors) == [
        "budget_min_wan",
        "contact",
        "coop_modes",
        "deadline",
        "description",
        "field",
        "title",
    ]
    assert errors["field"] == "所属领域「航天」不在产业领域列表中"
    assert errors["deadline"] == "截止日期「2026-02-30」应为 年-月-日，例如 2026-12-31"


def test_a_minimum_above_the_maximum_is_refused_on_the_maximum() -> None:
    assert errors_of(need(budget_min_wan="90", budget_max_wan="30")) == {
        "budget_max_wan": "预算上限 30 万元不能小于下限 90 万元"
    }


def test_negotiable_budget_stores_no_amounts_even_if_some_were_typed() -> None:
    draft = validate_need(need(budget_negotiable="1", budget_min_wan="5"), fields=FIELDS, today=TODAY)
    assert (draft.budget_min_wan, draft.budget_max_wan, draft.budget_negotiable) == (None, None, True)


def test_no_budget_and_no_negotiable_box_asks_for_one_of_them() -> None:
    assert errors_of(need(budget_min_wan="", budget_max_wan="")) == {
        "budget_min_wan": "请填写预算范围（万元），或勾选“面议”"
    }


def test_budget_accepts_wan_suffix_and_json_integers_but_not_decimals() -> None:
    draft = validate_need(need(budget_min_wan="20万", budget_max_wan=50), fields=FIELDS, today=TODAY)
    assert (draft.budget_min_wan, draft.budget_max_wan) == (20, 50)
    assert errors_of(need(budget_min_wan="12.5")) == {
        "budget_min_wan": "预算下限「12.5」应为整数万元，例如 50"
    }
    assert errors_of(need(budget_max_wan=12.5)) == {"budget_max_wan": "预算上限应为整数万元"}


def test_a_negative_budget_is_refused() -> None:
    assert errors_of(need(budget_min_wan="-5")) == {"budget_min_wan": "预算下限不能为负数"}


def test_a_past_deadline_is_refused_when_posted() -> None:
    assert errors_of(need(deadline="2026-05-31")) == {
        "deadline": "截止日期 2026-05-31 已过，请选择今天或以后的日期"
    }


def test_an_unchanged_past_deadline_is_kept_on_edit() -> None:
    draft = validate_need(
        need(deadline="2026-05-31"), fields=FIELDS, today=TODAY, previous_deadline=date(2026, 5, 31)
    )
    assert draft.deadline == date(2026, 5, 31)


def test_over_long_text_names_the_limit_and_the_length() -> None:
    errors = errors_of(need(title="长" * 201, contact="电" * 101))
    assert errors == {
        "title": "需求名称不能超过 200 个字，现有 201 个字",
        "contact": "联系方式不能超过 100 个字，现有 101 个字",
    }


def test_coop_modes_must_name_at_least_one_known_mode() -> None:
    assert errors_of(need(coop_modes=[])) == {"coop_modes": "请至少选择一种可接受的合作方式"}
    assert validate_need(need(coop_modes="许可、转让"), fields=FIELDS, today=TODAY).coop_modes == (
        "转让",
        "许可",
    )


def test_status_flow_allows_the_brief_and_refuses_the_rest() -> None:
    check_transition("开放", "对接中")
    check_transition("对接中", "已解决")
    with pytest.raises(ValidationFailed) as caught:
        check_transition("已解决", "开放")
    assert caught.value.by_field() == {
        "status": "需求状态不能从「已解决」改为「开放」，可改为：无（已是最终状态）"
    }


def test_budget_text_reads_each_shape() -> None:
    assert [
        budget_text(None, None),
        budget_text(20, 80),
        budget_text(None, 50),
        budget_text(30, None),
        budget_text(40, 40),
    ] == ["面议", "20–80 万元", "不超过 50 万元", "30 万元以上", "40 万元"]


def test_company_with_a_wrong_credit_check_character_names_the_expected_one() -> None:
    good = "91320481479954147W"
    wrong = good[:-1] + ("X" if good[-1] != "X" else "Y")
    with pytest.raises(ValidationFailed) as caught:
        validate_company(
            {"name": "溧阳某公司", "credit_code": wrong, "town": "溧城街道", "field": "动力电池"},
            towns=("溧城街道",),
            fields=FIELDS,
        )
    assert caught.value.by_field() == {"credit_code": f"统一社会信用代码 {wrong} 的校验位应为 W"}


def test_company_with_unknown_town_and_field_reports_both() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_company(
            {"name": "溧阳某公司", "credit_code": "91320481479954147W", "town": "火星镇", "field": "航天"},
            towns=("溧城街道",),
            fields=FIELDS,
        )
    assert caught.value.by_field() == {
        "town": "镇街或园区「火星镇」不在溧阳的镇街园区列表中",
        "field": "所属领域「航天」不在产业领域列表中",
    }
