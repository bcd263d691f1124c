"""A company (企业) as validated input: name, 统一社会信用代码, town or park, industry field."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.domain.identifiers import IdentifierError, parse_credit_code

NAME_MAX_CHARS = 100
DESCRIPTION_MAX_CHARS = 2000


@dataclass(frozen=True)
class CompanyDraft:
    name: str
    credit_code: str
    town: str
    field: str
    description: str


def validate_company(
    raw: Mapping[str, object], *, towns: Collection[str], fields: Collection[str]
) -> CompanyDraft:
    """Every problem at once. The credit code is checked with both check characters (GB 32100-2015 and
    GB 11714), and the message names the expected one, so a typo is fixed without calling the company."""
    errors: list[FieldError] = []
    name = _text(raw.get("name"))
    if not name:
        errors.append(FieldError("name", "企业名称不能为空"))
    elif len(name) > NAME_MAX_CHARS:
        errors.append(FieldError("name", f"企业名称不能超过 {NAME_MAX_CHARS} 个字，现有 {len(name)} 个字"))
    code_text = _text(raw.get("credit_code"))
    code = ""
    if not code_text:
        errors.append(FieldError("credit_code", "统一社会信用代码不能为空"))
    else:
        try:
            code = parse_credit_code(code_text)
        except IdentifierError as exc:
            errors.append(FieldError("credit_code", exc.message))
    town = _text(raw.get("town"))
    if not town:
        errors.append(FieldError("town", "请选择所在镇街或园区"))
    elif town not in towns:
        errors.append(FieldError("town", f"镇街或园区「{town}」不在溧阳的镇街园区列表中"))
    field = _text(raw.get("field"))
    if not field:
        errors.append(FieldError("field", "请选择所属产业领域"))
    elif field not in fields:
        errors.append(FieldError("field", f"所属领域「{field}」不在产业领域列表中"))
    description = _text(raw.get("description"))
    if len(description) > DESCRIPTION_MAX_CHARS:
        errors.append(FieldError("description", f"企业简介不能超过 {DESCRIPTION_MAX_CHARS} 个字"))
    if errors:
        raise ValidationFailed(errors)
    return CompanyDraft(name=name, credit_code=code, town=town, field=field, description=description)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()
