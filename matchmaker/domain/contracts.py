"""A registered technology contract (技术合同) as validated input, for the bureau's form and the bulk import.

``validate_contract`` takes loosely typed values (form strings; spreadsheet cells: date cells, numeric 万元
cells) and returns a ``ContractDraft`` or raises ``ValidationFailed`` with every field's problem at once.
The rules follow ``samples/README.md``: registration numbers compared after NFKC and whitespace
removal, the five contract types with their bracketed sub-types, exactly one of the 元 and 万元 amount
columns, amounts exact to the 分 (never rounded), the technology part never above the amount, and a
registration never dated before the signature.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from matchmaker.domain.cells import cell_text, squeeze
from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.domain.identifiers import IdentifierError, parse_credit_code
from matchmaker.domain.institutions import InstitutionResolver
from matchmaker.domain.money import AmountError, ParsedAmount, format_yuan, parse_wan_yuan, parse_yuan
from matchmaker.domain.vocab import CONTRACT_TYPES

TITLE_MAX_CHARS = 200
NAME_MAX_CHARS = 100

FIELD_LABELS: Mapping[str, str] = {
    "registration_number": "合同登记编号",
    "title": "项目名称",
    "contract_type": "合同类型",
    "seller": "卖方名称",
    "buyer": "买方名称",
    "buyer_credit_code": "买方统一社会信用代码",
    "amount_yuan": "合同成交额（元）",
    "amount_wan": "合同成交额（万元）",
    "technology_amount_yuan": "技术交易额（元）",
    "signed_on": "合同签订日期",
    "registered_on": "登记日期",
    "validity": "合同有效期限",
    "field": "技术领域",
    "town": "所在镇（街道）",
}

# Spellings without the base type that registration systems still export (CONTRACTS.md): type, sub-type.
_TYPE_ALIASES: Mapping[str, tuple[str, str]] = {
    "委托开发": ("技术开发", "委托开发"),
    "合作开发": ("技术开发", "合作开发"),
}
_TYPE_RE = re.compile(r"^([^()]+)(?:\(([^()]*)\))?$")
_REGISTRATION_RE = re.compile(r"^\d{16}$")
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_PERIOD_RE = re.compile(r"^(.+?)(?:至|到|~|～|〜|—|–)(.+)$")


@dataclass(frozen=True)
class ContractDraft:
    """A valid contract ready to store; amounts are exact 元 with two decimals.

    A party that resolves to a known institution carries its canonical name; any other party (a company) keeps
    its name as written, and ``*_is_institution`` says which is which.
    """

    registration_number: str
    title: str
    contract_type: str
    sub_type: str | None
    seller_name: str
    seller_is_institution: bool
    buyer_name: str
    buyer_credit_code: str
    buyer_is_institution: bool
    amount_yuan: Decimal
    technology_amount_yuan: Decimal
    signed_on: date
    registered_on: date
    valid_from: date | None
    valid_to: date | None
    field: str | None
    town: str | None
    warnings: tuple[str, ...] = ()


def normalise_registration_number(text: str) -> str:
    """NFKC (full-width digits → ASCII), then every whitespace removed: 「２０２１ ３２０４８１ ０００１３０」 →
    2021320481000130. Duplicates are judged on this form."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def parse_contract_type(text: str) -> tuple[str, str | None]:
    """One of the five types plus the bracketed sub-type as written (「技术转让（专利权）」 → 技术转让, 专利权).

    Any bracketed text after a valid type is kept, since registration systems name sub-types differently; a
    base type outside the five (技术推广, 技术中介 …) is refused because turnover statistics count by type.
    """
    squeezed = "".join(unicodedata.normalize("NFKC", text).split())
    match = _TYPE_RE.match(squeezed)
    if match is not None:
        base, sub_type = match[1], match[2] or None
        if base in CONTRACT_TYPES:
            return base, sub_type
        if base in _TYPE_ALIASES and sub_type is None:
            return _TYPE_ALIASES[base]
    raise ValueError(
        f"合同类型「{text.strip()}」无法识别，应为{'、'.join(CONTRACT_TYPES)}之一（可带括号注明子类）"
    )


def validate_contract(
    raw: Mapping[str, object], *, normalizer: InstitutionResolver, towns: Collection[str]
) -> ContractDraft:
    """Check every field of ``raw`` (keys as in ``FIELD_LABELS``; a form may send ``valid_from``/``valid_to``
    instead of ``validity``) and return the draft, or raise ``ValidationFailed`` with all problems."""
    errors: list[FieldError] = []
    warnings: list[str] = []

    registration_number = normalise_registration_number(cell_text(raw.get("registration_number")))
    if not registration_number:
        errors.append(FieldError("registration_number", "合同登记编号不能为空"))
    elif not _REGISTRATION_RE.match(registration_number):
        errors.append(
            FieldError(
                "registration_number",
                f"合同登记编号「{cell_text(raw.get('registration_number'))}」应为 16 位数字，现为 {len(registration_number)} 位",
            )
        )

    title = cell_text(raw.get("title"))
    if not title:
        errors.append(FieldError("title", "项目名称不能为空"))
    elif len(title) > TITLE_MAX_CHARS:
        errors.append(FieldError("title", f"项目名称不能超过 {TITLE_MAX_CHARS} 个字，现有 {len(title)} 个字"))

    contract_type: str | None = None
    sub_type: str | None = None
    type_text = cell_text(raw.get("contract_type"))
    if not type_text:
        errors.append(FieldError("contract_type", "合同类型不能为空"))
    else:
        try:
            contract_type, sub_type = parse_contract_type(type_text)
        except ValueError as exc:
            errors.append(FieldError("contract_type", str(exc)))

    seller = _party("seller", cell_text(raw.get("seller")), normalizer, errors)
    buyer = _party("buyer", cell_text(raw.get("buyer")), normalizer, errors)
    credit_code = _credit_code(cell_text(raw.get("buyer_credit_code")), errors)

    amount_yuan = _contract_amount(raw.get("amount_yuan"), raw.get("amount_wan"), errors, warnings)
    technology_amount_yuan = _technology_amount(
        raw.get("technology_amount_yuan"), amount_yuan, errors, warnings
    )

    signed_on = _date("signed_on", raw.get("signed_on"), errors, required=True)
    registered_on = _date("registered_on", raw.get("registered_on"), errors, required=True)
    if signed_on and registered_on and registered_on < signed_on:
        errors.append(
            FieldError(
                "registered_on",
                f"登记日期 {registered_on.isoformat()} 早于合同签订日期 {signed_on.isoformat()}",
            )
        )
    valid_from, valid_to = _validity(raw, errors)

    field = squeeze(cell_text(raw.get("field"))) or None
    town = squeeze(cell_text(raw.get("town"))) or None
    if town is not None and town not in towns:
        errors.append(
            FieldError("town", f"所在镇（街道）「{cell_text(raw.get('town'))}」不在溧阳的镇街园区列表中")
        )

    if (
        errors
        or contract_type is None
        or seller is None
        or buyer is None
        or credit_code is None
        or amount_yuan is None
        or technology_amount_yuan is None
        or signed_on is None
        or registered_on is None
    ):
        raise ValidationFailed(errors)
    return ContractDraft(
        registration_number=registration_number,
        title=title,
        contract_type=contract_type,
        sub_type=sub_type,
        seller_name=seller[0],
        seller_is_institution=seller[1],
        buyer_name=buyer[0],
        buyer_credit_code=credit_code,
        buyer_is_institution=buyer[1],
        amount_yuan=amount_yuan,
        technology_amount_yuan=technology_amount_yuan,
        signed_on=signed_on,
        registered_on=registered_on,
        valid_from=valid_from,
        valid_to=valid_to,
        field=field,
        town=town,
        warnings=tuple(warnings),
    )


# --- field rules ----------------------------------------------------------------------------------------------


def _party(
    role: str, text: str, normalizer: InstitutionResolver, errors: list[FieldError]
) -> tuple[str, bool] | None:
    """A known institution by its canonical name; anyone else (a company) by the name as written."""
    label = FIELD_LABELS[role]
    if not text:
        errors.append(FieldError(role, f"{label}不能为空"))
        return None
    if len(text) > NAME_MAX_CHARS:
        errors.append(FieldError(role, f"{label}不能超过 {NAME_MAX_CHARS} 个字"))
        return None
    canonical = normalizer.resolve(text).canonical
    return (canonical, True) if canonical is not None else (" ".join(text.split()), False)


def _credit_code(text: str, errors: list[FieldError]) -> str | None:
    if not text:
        errors.append(FieldError("buyer_credit_code", "买方统一社会信用代码不能为空"))
        return None
    try:
        return parse_credit_code(text)
    except IdentifierError as exc:
        errors.append(FieldError("buyer_credit_code", f"买方{exc.message}"))
        return None


def _amount(field: str, value: object, errors: list[FieldError]) -> ParsedAmount | None:
    """Parse one amount cell; numeric cells are Decimal (or int) already, never float, in the import."""
    parse = parse_wan_yuan if field == "amount_wan" else parse_yuan
    try:
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return parse(Decimal(value))
        return parse(cell_text(value))
    except AmountError as exc:
        errors.append(FieldError(field, f"{FIELD_LABELS[field]}有误：{exc.message}"))
        return None


def _contract_amount(
    yuan_value: object, wan_value: object, errors: list[FieldError], warnings: list[str]
) -> Decimal | None:
    """Exactly one of the 元 and 万元 columns; both filled must agree (a second, conflicting figure is not a
    detail to pick from), and a contract's amount is positive."""
    has_yuan, has_wan = bool(cell_text(yuan_value)), bool(cell_text(wan_value))
    if not has_yuan and not has_wan:
        errors.append(
            FieldError("amount_yuan", "合同成交额不能为空，请填写合同成交额（元）或合同成交额（万元）")
        )
        return None
    in_yuan = _amount("amount_yuan", yuan_value, errors) if has_yuan else None
    in_wan = _amount("amount_wan", wan_value, errors) if has_wan else None
    if (has_yuan and in_yuan is None) or (has_wan and in_wan is None):
        return None
    if in_yuan is not None and in_wan is not None and in_yuan.yuan != in_wan.yuan:
        errors.append(
            FieldError(
                "amount_wan",
                f"合同成交额（元）{format_yuan(in_yuan.yuan)} 元与合同成交额（万元）{cell_text(wan_value)} 万元不一致，请只填一列",
            )
        )
        return None
    parsed = in_yuan or in_wan
    assert parsed is not None
    if parsed.yuan == 0:
        errors.append(FieldError("amount_yuan", "合同成交额应大于 0 元"))
        return None
    if parsed.warning:
        warnings.append(parsed.warning)
    return parsed.yuan


def _technology_amount(
    value: object, amount_yuan: Decimal | None, errors: list[FieldError], warnings: list[str]
) -> Decimal | None:
    """技术交易额 in 元, never above the contract amount; missing means the whole amount is technology."""
    if not cell_text(value):
        if amount_yuan is not None:
            warnings.append("技术交易额未填写，已按合同成交额计")
        return amount_yuan
    parsed = _amount("technology_amount_yuan", value, errors)
    if parsed is None:
        return None
    if parsed.warning:
        warnings.append(parsed.warning)
    if amount_yuan is not None and parsed.yuan > amount_yuan:
        errors.append(
            FieldError(
                "technology_amount_yuan",
                f"技术交易额 {format_yuan(parsed.yuan)} 元不能大于合同成交额 {format_yuan(amount_yuan)} 元",
            )
        )
        return None
    return parsed.yuan


def parse_date(value: object) -> date:
    """A date cell, or text 「2023-05-04」「2023/5/4」「2023.5.4」「2023年5月4日」「20230504」."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = squeeze(cell_text(value))
    match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if match is None:
        raise ValueError("应写成 2023-05-04 或 2023/5/4")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError("不是有效的日期") from None


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


def _validity(raw: Mapping[str, object], errors: list[FieldError]) -> tuple[date | None, date | None]:
    """合同有效期限 as 「2023-04-26至2024-04-25」 (import) or separate ``valid_from``/``valid_to`` (form)."""
    period = squeeze(cell_text(raw.get("validity")))
    if period:
        match = _PERIOD_RE.match(period)
        if match is None:
            errors.append(FieldError("validity", f"合同有效期限「{period}」应写成 2023-04-26至2024-04-25"))
            return None, None
        start_text, end_text = match[1], match[2]
    else:
        start_text, end_text = cell_text(raw.get("valid_from")), cell_text(raw.get("valid_to"))
    start = end = None
    try:
        start = parse_date(start_text) if start_text else None
        end = parse_date(end_text) if end_text else None
    except ValueError as exc:
        errors.append(
            FieldError("validity", f"合同有效期限「{period or start_text + '至' + end_text}」{exc}")
        )
        return None, None
    if start and end and end < start:
        errors.append(
            FieldError(
                "validity", f"合同有效期限的结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()}"
            )
        )
        return None, None
    return start, end
