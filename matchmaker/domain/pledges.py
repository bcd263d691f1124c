"""A patent pledge registration (专利权质押登记) as validated input, for the bureau's form and the bulk import.

The plan counts 知识产权质押融资 as the secured amounts registered in the period (专栏5), so a registration
carries what that figure needs — pledgor company by 统一社会信用代码, pledgee bank or guarantor, the pledged
patents (each number checked by its check character, with its 主分类号), the secured amount exact to the 分,
the registration date and the debt term — and its life: 登记, then any number of 变更 (a change registered at
the patent office), then 注销 (released). A 注销 is final and never dated before the registration.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from matchmaker.domain.cells import cell_text, squeeze
from matchmaker.domain.contracts import parse_date
from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.domain.identifiers import (
    IdentifierError,
    parse_application_number,
    parse_credit_code,
    parse_ipc,
)
from matchmaker.domain.money import AmountError, ParsedAmount, format_yuan, parse_wan_yuan, parse_yuan

PLEDGE_STATUSES = ("登记", "变更", "注销")
#: A change may follow a change; a release ends the registration.
PLEDGE_TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    "登记": ("变更", "注销"),
    "变更": ("变更", "注销"),
    "注销": (),
}
PLEDGEE_KINDS = ("银行", "担保机构", "其他")
NAME_MAX_CHARS = 100
MAX_PATENTS = 200

FIELD_LABELS: Mapping[str, str] = {
    "registration_number": "质押登记号",
    "pledgor": "出质人（企业）",
    "pledgor_credit_code": "出质人统一社会信用代码",
    "pledgee": "质权人",
    "pledgee_kind": "质权人类型",
    "patents": "出质专利",
    "main_ipc": "主分类号",
    "amount_yuan": "担保债权数额（元）",
    "amount_wan": "担保债权数额（万元）",
    "registered_on": "登记日期",
    "debt_from": "债务起始日",
    "debt_to": "债务到期日",
    "status": "状态",
    "cancelled_on": "注销日期",
    "field": "所属领域",
    "town": "所在镇（街道）",
}

_REGISTRATION_RE = re.compile(r"^[A-Z0-9]{8,30}$")
_IPC_IN_TEXT_RE = re.compile(r"[A-H]\d{2}[A-Z]\s*\d{1,4}\s*/\s*\d{2,6}|LOC\s*\d{1,2}-\d{1,2}")
_PATENT_SEPARATORS_RE = re.compile(r"[;；、,，\n]+")
_PERIOD_RE = re.compile(r"^(.+?)(?:至|到|~|～|〜|—|–)(.+)$")


@dataclass(frozen=True)
class PledgedPatent:
    """One pledged patent: its checked number (digits, dot, check character) and main IPC class, if given."""

    number: str
    main_ipc: str | None = None


@dataclass(frozen=True)
class PledgeDraft:
    """A valid registration ready to store; the amount is exact 元 with two decimals."""

    registration_number: str
    pledgor_name: str
    pledgor_credit_code: str
    pledgee_name: str
    pledgee_kind: str
    patents: tuple[PledgedPatent, ...]
    amount_yuan: Decimal
    registered_on: date
    debt_from: date | None
    debt_to: date | None
    status: str
    cancelled_on: date | None
    field: str | None
    town: str | None
    warnings: tuple[str, ...] = ()


def normalise_registration_number(text: str) -> str:
    """NFKC, upper case, whitespace and hyphens removed: 「y2023 9800 0123-4」 → Y2023980001234."""
    return squeeze(text).upper().replace("-", "")


def pledgee_kind_of(name: str) -> str:
    """A pledgee's kind from its name when the sheet does not say: banks and guarantee companies name
    themselves (「江苏银行溧阳支行」, 「溧阳市融资担保有限公司」)."""
    if "银行" in name or "农商行" in name or "信用社" in name:
        return "银行"
    if "担保" in name:
        return "担保机构"
    return "其他"


def parse_patents(text: str, main_ipc_text: str = "") -> tuple[list[PledgedPatent], list[str]]:
    """Patents as listed in a cell or a textarea — separated by 「；」「、」, commas or new lines, each
    number optionally followed by its 主分类号 (「201710601862.3 H01M 10/0525」 or with brackets). A separate
    主分类号 cell pairs with the numbers in order. Returns the patents and one message per bad entry."""
    entries = [e.strip() for e in _PATENT_SEPARATORS_RE.split(text) if e.strip()]
    ipc_entries = [e.strip() for e in _PATENT_SEPARATORS_RE.split(main_ipc_text) if e.strip()]
    problems: list[str] = []
    if ipc_entries and len(ipc_entries) not in (1, len(entries)):
        problems.append(f"主分类号有 {len(ipc_entries)} 个，与出质专利 {len(entries)} 件对不上")
        ipc_entries = []
    patents: list[PledgedPatent] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        normalised = squeeze(entry).upper()
        found = _IPC_IN_TEXT_RE.search(normalised)
        ipc_text = found.group(0) if found else (ipc_entries[index] if len(ipc_entries) > 1 else "")
        if not found and len(ipc_entries) == 1 and len(entries) == 1:
            ipc_text = ipc_entries[0]
        number_text = normalised[: found.start()] if found else normalised
        number_text = number_text.strip("()（）[]【】:：")
        try:
            number = parse_application_number(number_text).canonical
        except IdentifierError as exc:
            problems.append(exc.message)
            continue
        ipc: str | None = None
        if ipc_text:
            try:
                ipc = parse_ipc(ipc_text)
            except IdentifierError as exc:
                problems.append(f"专利 {number}：{exc.message}")
                continue
        if number in seen:
            problems.append(f"专利 {number} 重复列出")
            continue
        seen.add(number)
        patents.append(PledgedPatent(number, ipc))
    return patents, problems


def format_patents(patents: Collection[PledgedPatent]) -> str:
    """Patents back as the form's text: one per line, number then main class."""
    return "\n".join(f"{p.number} {p.main_ipc}" if p.main_ipc else p.number for p in patents)


def check_transition(current: str, target: str) -> None:
    """Refuse a step the life of a registration does not allow (a 注销 before any 登记, anything after 注销)."""
    if target not in PLEDGE_TRANSITIONS.get(current, ()):
        if current == "注销":
            raise ValidationFailed([FieldError("status", "该质押登记已注销，不能再变更或注销")])
        raise ValidationFailed([FieldError("status", f"状态不能从「{current}」变为「{target}」")])


def validate_pledge(
    raw: Mapping[str, object],
    *,
    towns: Collection[str],
    fields: Collection[str],
    statuses: Collection[str] = ("登记",),
) -> PledgeDraft:
    """Check every field of ``raw`` (keys as in ``FIELD_LABELS``) and return the draft, or raise
    ``ValidationFailed`` with all problems at once. ``statuses``: what the caller accepts (a form records a
    new registration as 登记 only; an import copies the registry's current status)."""
    errors: list[FieldError] = []
    warnings: list[str] = []

    number_text = cell_text(raw.get("registration_number"))
    registration_number = normalise_registration_number(number_text)
    if not registration_number:
        errors.append(FieldError("registration_number", "质押登记号不能为空"))
    elif not _REGISTRATION_RE.match(registration_number):
        errors.append(
            FieldError(
                "registration_number",
                f"质押登记号「{number_text}」应为 8–30 位字母或数字，如 Y2023320000123",
            )
        )

    pledgor = _name("pledgor", raw, errors)
    credit_code: str | None = None
    code_text = cell_text(raw.get("pledgor_credit_code"))
    if not code_text:
        errors.append(FieldError("pledgor_credit_code", "出质人统一社会信用代码不能为空"))
    else:
        try:
            credit_code = parse_credit_code(code_text)
        except IdentifierError as exc:
            errors.append(FieldError("pledgor_credit_code", f"出质人{exc.message}"))

    pledgee = _name("pledgee", raw, errors)
    kind = squeeze(cell_text(raw.get("pledgee_kind")))
    if not kind and pledgee:
        kind = pledgee_kind_of(pledgee)
    elif kind and kind not in PLEDGEE_KINDS:
        errors.append(FieldError("pledgee_kind", f"质权人类型「{kind}」应为{'、'.join(PLEDGEE_KINDS)}之一"))

    patents_text = cell_text(raw.get("patents"))
    patents: list[PledgedPatent] = []
    if not patents_text:
        errors.append(FieldError("patents", "请至少填写一件出质专利的申请号或专利号"))
    else:
        patents, problems = parse_patents(patents_text, cell_text(raw.get("main_ipc")))
        if problems:
            errors.append(FieldError("patents", "；".join(problems)))
        elif len(patents) > MAX_PATENTS:
            errors.append(FieldError("patents", f"一次质押登记最多 {MAX_PATENTS} 件专利"))

    amount_yuan = _amount(raw.get("amount_yuan"), raw.get("amount_wan"), errors, warnings)

    registered_on = _date("registered_on", raw.get("registered_on"), errors, required=True)
    debt_from, debt_to = _debt_term(raw, errors)

    status = squeeze(cell_text(raw.get("status"))) or "登记"
    if status not in PLEDGE_STATUSES:
        errors.append(FieldError("status", f"状态「{status}」应为{'、'.join(PLEDGE_STATUSES)}之一"))
    elif status not in statuses:
        errors.append(FieldError("status", f"新的质押登记状态应为「{'、'.join(statuses)}」"))
    cancelled_on = _date("cancelled_on", raw.get("cancelled_on"), errors, required=status == "注销")
    if cancelled_on is not None and status != "注销":
        errors.append(FieldError("cancelled_on", "只有状态为注销的质押登记才填写注销日期"))
    if cancelled_on and registered_on and cancelled_on < registered_on:
        errors.append(
            FieldError(
                "cancelled_on",
                f"注销日期 {cancelled_on.isoformat()} 早于登记日期 {registered_on.isoformat()}，不能先注销后登记",
            )
        )

    field = squeeze(cell_text(raw.get("field"))) or None
    if field is not None and field not in fields:
        errors.append(FieldError("field", f"所属领域「{field}」不在产业领域列表中"))
    town = squeeze(cell_text(raw.get("town"))) or None
    if town is not None and town not in towns:
        errors.append(FieldError("town", f"所在镇（街道）「{town}」不在溧阳的镇街园区列表中"))

    if (
        errors
        or pledgor is None
        or credit_code is None
        or pledgee is None
        or amount_yuan is None
        or registered_on is None
    ):
        raise ValidationFailed(errors)
    return PledgeDraft(
        registration_number=registration_number,
        pledgor_name=pledgor,
        pledgor_credit_code=credit_code,
        pledgee_name=pledgee,
        pledgee_kind=kind,
        patents=tuple(patents),
        amount_yuan=amount_yuan,
        registered_on=registered_on,
        debt_from=debt_from,
        debt_to=debt_to,
        status=status,
        cancelled_on=cancelled_on,
        field=field,
        town=town,
        warnings=tuple(warnings),
    )


# --- field rules ----------------------------------------------------------------------------------------------


def _name(role: str, raw: Mapping[str, object], errors: list[FieldError]) -> str | None:
    text = " ".join(cell_text(raw.get(role)).split())
    label = FIELD_LABELS[role]
    if not text:
        errors.append(FieldError(role, f"{label}不能为空"))
        return None
    if len(text) > NAME_MAX_CHARS:
        errors.append(FieldError(role, f"{label}不能超过 {NAME_MAX_CHARS} 个字"))
        return None
    return text


def _parse(field: str, value: object, errors: list[FieldError]) -> ParsedAmount | None:
    parse = parse_wan_yuan if field == "amount_wan" else parse_yuan
    try:
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return parse(Decimal(value))
        if isinstance(value, float):
            return parse(value)
        return parse(cell_text(value))
    except AmountError as exc:
        errors.append(FieldError(field, f"{FIELD_LABELS[field]}有误：{exc.message}"))
        return None


def _amount(
    yuan_value: object, wan_value: object, errors: list[FieldError], warnings: list[str]
) -> Decimal | None:
    """The secured amount: the 元 or the 万元 column (both filled must agree), exact, above zero."""
    has_yuan, has_wan = bool(cell_text(yuan_value)), bool(cell_text(wan_value))
    if not has_yuan and not has_wan:
        errors.append(FieldError("amount_yuan", "担保债权数额不能为空"))
        return None
    in_yuan = _parse("amount_yuan", yuan_value, errors) if has_yuan else None
    in_wan = _parse("amount_wan", wan_value, errors) if has_wan else None
    if (has_yuan and in_yuan is None) or (has_wan and in_wan is None):
        return None
    if in_yuan is not None and in_wan is not None and in_yuan.yuan != in_wan.yuan:
        errors.append(
            FieldError(
                "amount_wan",
                f"担保债权数额（元）{format_yuan(in_yuan.yuan)} 元与（万元）{cell_text(wan_value)} 万元不一致，请只填一列",
            )
        )
        return None
    parsed = in_yuan or in_wan
    assert parsed is not None
    if parsed.yuan <= 0:
        errors.append(FieldError("amount_yuan", "担保债权数额应大于 0 元"))
        return None
    if parsed.warning:
        warnings.append(parsed.warning)
    return parsed.yuan


def _date(field: str, value: object, errors: list[FieldError], *, required: bool) -> date | None:
    label = FIELD_LABELS[field]
    if not cell_text(value):
        if required:
            errors.append(FieldError(field, f"{label}不能为空"))
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        errors.append(FieldError(field, f"{label}「{cell_text(value)}」{exc}"))
        return None


def _debt_term(raw: Mapping[str, object], errors: list[FieldError]) -> tuple[date | None, date | None]:
    """债务期限 as one cell 「2024-01-10至2025-01-09」 (import) or two dates (form)."""
    period = squeeze(cell_text(raw.get("debt_term")))
    if period:
        match = _PERIOD_RE.match(period)
        if match is None:
            errors.append(FieldError("debt_to", f"债务期限「{period}」应写成 2024-01-10至2025-01-09"))
            return None, None
        start = _date("debt_from", match[1], errors, required=False)
        end = _date("debt_to", match[2], errors, required=False)
    else:
        start = _date("debt_from", raw.get("debt_from"), errors, required=False)
        end = _date("debt_to", raw.get("debt_to"), errors, required=False)
    if start and end and end < start:
        errors.append(
            FieldError("debt_to", f"债务到期日 {end.isoformat()} 早于债务起始日 {start.isoformat()}")
        )
        return None, None
    return start, end
