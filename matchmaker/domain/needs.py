"""A technology need (技术需求) as validated input: one rule set for the web form and the API.

``validate_need`` takes loosely typed values (form strings or JSON numbers and booleans) and returns a
``NeedDraft`` or raises ``ValidationFailed`` carrying every field's problem at once, so the form shows each
message beside its field. Budgets are whole 万元 (an SME thinks in 万, and the matcher compares them with offer
prices in 万元); ``None`` on both ends means 面议.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.domain.money import odd_digits
from matchmaker.domain.vocab import COOP_MODES, NEED_STATUSES, NEED_TRANSITIONS

TITLE_MAX_CHARS = 200
DESCRIPTION_MAX_CHARS = 5000
OUTCOME_MAX_CHARS = 200
CONTACT_MAX_CHARS = 100
#: 100 亿元: far above any single technology deal in Liyang, low enough to catch a budget typed in 元.
BUDGET_MAX_WAN = 1_000_000

FIELD_LABELS: Mapping[str, str] = {
    "title": "需求名称",
    "description": "需求描述",
    "expected_outcome": "预期成果",
    "field": "所属领域",
    "budget_min_wan": "预算下限",
    "budget_max_wan": "预算上限",
    "coop_modes": "合作方式",
    "deadline": "截止日期",
    "contact": "联系方式",
}

_WAN = re.compile(r"^([0-9]{1,9})(?:万元|万)?$")
_LIST_SEPARATORS = re.compile(r"[、;；,，/\s]+")
_TRUE = {"1", "true", "on", "yes", "是"}


@dataclass(frozen=True)
class NeedDraft:
    title: str
    description: str
    expected_outcome: str
    field: str
    budget_min_wan: int | None
    budget_max_wan: int | None
    coop_modes: tuple[str, ...]
    deadline: date | None
    contact: str
    contact_public: bool
    budget_public: bool

    @property
    def budget_negotiable(self) -> bool:
        return self.budget_min_wan is None and self.budget_max_wan is None


def validate_need(
    raw: Mapping[str, object],
    *,
    fields: Collection[str],
    today: date,
    previous_deadline: date | None = None,
) -> NeedDraft:
    """Check every field and return the draft, or raise ``ValidationFailed`` with all problems.

    ``fields`` is the industry-field list (``seed/fields.json``). A deadline must not be in the past when it is
    set; an unchanged ``previous_deadline`` is kept on edit even once it has passed, so an old need can still
    be corrected without inventing a new date.
    """
    errors: list[FieldError] = []
    title = _text(raw.get("title"))
    if not title:
        errors.append(FieldError("title", "需求名称不能为空"))
    _max_length(errors, "title", title, TITLE_MAX_CHARS)
    description = _text(raw.get("description"))
    if not description:
        errors.append(FieldError("description", "请用几句话描述遇到的技术问题"))
    _max_length(errors, "description", description, DESCRIPTION_MAX_CHARS)
    expected_outcome = _text(raw.get("expected_outcome"))
    _max_length(errors, "expected_outcome", expected_outcome, OUTCOME_MAX_CHARS)

    field = _text(raw.get("field"))
    if not field:
        errors.append(FieldError("field", "请选择所属领域"))
    elif field not in fields:
        errors.append(FieldError("field", f"所属领域「{field}」不在产业领域列表中"))

    budget_min, budget_max = _budget(raw, errors)
    coop_modes = _coop_modes(raw.get("coop_modes"), errors)
    deadline = _deadline(raw.get("deadline"), today, previous_deadline, errors)

    contact = _text(raw.get("contact"))
    if not contact:
        errors.append(FieldError("contact", "请填写联系人及电话"))
    _max_length(errors, "contact", contact, CONTACT_MAX_CHARS)

    if errors:
        raise ValidationFailed(errors)
    return NeedDraft(
        title=title,
        description=description,
        expected_outcome=expected_outcome,
        field=field,
        budget_min_wan=budget_min,
        budget_max_wan=budget_max,
        coop_modes=coop_modes,
        deadline=deadline,
        contact=contact,
        contact_public=truthy(raw.get("contact_public")),
        budget_public=truthy(raw.get("budget_public")),
    )


def check_transition(current: str, new: str) -> None:
    """The status flow 开放 → 对接中 → 已解决 / 关闭 (``vocab.NEED_TRANSITIONS``); anything else is refused."""
    if new not in NEED_STATUSES:
        raise ValidationFailed([FieldError("status", f"未知的需求状态「{new}」")])
    if new not in NEED_TRANSITIONS.get(current, ()):
        allowed = "、".join(NEED_TRANSITIONS.get(current, ())) or "无（已是最终状态）"
        raise ValidationFailed(
            [FieldError("status", f"需求状态不能从「{current}」改为「{new}」，可改为：{allowed}")]
        )


def budget_text(budget_min_wan: int | None, budget_max_wan: int | None) -> str:
    """How a budget reads on a page and in an export."""
    if budget_min_wan is None and budget_max_wan is None:
        return "面议"
    if budget_min_wan is None:
        return f"不超过 {budget_max_wan} 万元"
    if budget_max_wan is None:
        return f"{budget_min_wan} 万元以上"
    if budget_min_wan == budget_max_wan:
        return f"{budget_min_wan} 万元"
    return f"{budget_min_wan}–{budget_max_wan} 万元"


def truthy(value: object) -> bool:
    """A checkbox ("1"/"on"), a JSON boolean, or nothing."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in _TRUE


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _max_length(errors: list[FieldError], name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors.append(FieldError(name, f"{FIELD_LABELS[name]}不能超过 {limit} 个字，现有 {len(value)} 个字"))


def _wan(value: object, name: str, errors: list[FieldError]) -> int | None:
    label = FIELD_LABELS[name]
    if value is None or value == "":
        return None
    if isinstance(value, (bool, float)):
        errors.append(FieldError(name, f"{label}应为整数万元"))
        return None
    if isinstance(value, int):
        number = value
    else:
        problem = odd_digits(str(value))
        if problem:
            errors.append(FieldError(name, f"{label}{problem}"))
            return None
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace("，", "")
        if text.startswith(("-", "−")):
            errors.append(FieldError(name, f"{label}不能为负数"))
            return None
        match = _WAN.match(text)
        if match is None:
            errors.append(FieldError(name, f"{label}「{str(value).strip()}」应为整数万元，例如 50"))
            return None
        number = int(match[1])
    if number < 0:
        errors.append(FieldError(name, f"{label}不能为负数"))
        return None
    if number > BUDGET_MAX_WAN:
        errors.append(FieldError(name, f"{label}不能超过 {BUDGET_MAX_WAN} 万元，请确认单位是万元"))
        return None
    return number


def _budget(raw: Mapping[str, object], errors: list[FieldError]) -> tuple[int | None, int | None]:
    if truthy(raw.get("budget_negotiable")):
        return None, None
    before = len(errors)
    low = _wan(raw.get("budget_min_wan"), "budget_min_wan", errors)
    high = _wan(raw.get("budget_max_wan"), "budget_max_wan", errors)
    if len(errors) > before:
        return None, None
    if low is None and high is None:
        errors.append(FieldError("budget_min_wan", "请填写预算范围（万元），或勾选“面议”"))
    elif low is not None and high is not None and low > high:
        errors.append(FieldError("budget_max_wan", f"预算上限 {high} 万元不能小于下限 {low} 万元"))
    return low, high


def _coop_modes(value: object, errors: list[FieldError]) -> tuple[str, ...]:
    if value is None or value == "":
        items: list[str] = []
    elif isinstance(value, str):
        items = [v for v in _LIST_SEPARATORS.split(value) if v]
    elif isinstance(value, (list, tuple)):
        items = [str(v).strip() for v in value if str(v).strip()]
    else:
        errors.append(FieldError("coop_modes", "合作方式应为列表"))
        return ()
    unknown = [v for v in items if v not in COOP_MODES]
    if unknown:
        errors.append(
            FieldError(
                "coop_modes", f"合作方式「{'、'.join(unknown)}」不在可选范围（{'、'.join(COOP_MODES)}）内"
            )
        )
    elif not items:
        errors.append(FieldError("coop_modes", "请至少选择一种可接受的合作方式"))
    return tuple(v for v in COOP_MODES if v in items)


def _deadline(value: object, today: date, previous: date | None, errors: list[FieldError]) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        deadline = value
    else:
        try:
            deadline = date.fromisoformat(str(value).strip())
        except ValueError:
            errors.append(
                FieldError("deadline", f"截止日期「{str(value).strip()}」应为 年-月-日，例如 2026-12-31")
            )
            return None
    if deadline < today and deadline != previous:
        errors.append(FieldError("deadline", f"截止日期 {deadline.isoformat()} 已过，请选择今天或以后的日期"))
    return deadline
