"""Open licences (专利开放许可, Patent Law arts. 50–52): the terms a patentee declares, and who may take them.

Under an open licence anyone may take a licence on the declared terms by notifying the patentee in writing
and paying, with no negotiation — so the terms must be complete and unambiguous when declared: a fee model
(a lump sum, exact to the 分, or a royalty rate on sales, in percent to two decimals), a licence period in
whole years, and the scope (territory, field of use). Only a granted, valid patent can be declared open, and
the declaration stands only while the offer is published.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from matchmaker.domain.cells import cell_text, squeeze
from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.domain.money import AmountError, format_yuan, parse_yuan

FEE_MODELS = ("一次性付费", "按销售额提成")
MAX_PERIOD_YEARS = 20
SCOPE_MAX_CHARS = 200
#: Rates are percent with at most two decimals, stored as basis points (3.5% → 350).
_RATE_RE = re.compile(r"^(\d{1,2})(?:\.(\d{1,2}))?%?$")


@dataclass(frozen=True)
class LicenceTerms:
    """Declared terms: exactly one of ``lump_sum_yuan`` and ``royalty_bp`` is set by the fee model."""

    fee_model: str
    lump_sum_yuan: Decimal | None
    royalty_bp: int | None
    period_years: int
    scope: str

    def describe(self) -> str:
        """One line for notices, reasons and the contract draft: 「一次性付费 120,000.00 元，5 年，中国境内」."""
        fee = (
            f"一次性付费 {format_yuan(self.lump_sum_yuan)} 元"
            if self.lump_sum_yuan is not None
            else f"按销售额 {format_rate(self.royalty_bp or 0)} 提成"
        )
        return f"{fee}，许可期限 {self.period_years} 年，{self.scope}"


def format_rate(basis_points: int) -> str:
    """350 → 「3.5%」, 300 → 「3%」."""
    return f"{Decimal(basis_points) / 100:f}".rstrip("0").rstrip(".") + "%"


def parse_rate(text: str) -> int:
    """「3.5」「3.5%」「３．５％」 → 350 basis points; more than two decimals or not above 0 and below 100 is
    refused (a rate is never rounded, like money)."""
    squeezed = squeeze(text)
    match = _RATE_RE.match(squeezed)
    if match is None:
        raise ValueError(f"提成比例「{text.strip()}」应为大于 0、小于 100 的百分数，最多两位小数，如 3.5")
    basis_points = int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))
    if basis_points == 0:
        raise ValueError("提成比例应大于 0")
    return basis_points


def validate_terms(raw: Mapping[str, object]) -> LicenceTerms:
    """Every field of a declaration at once, or ``ValidationFailed``."""
    errors: list[FieldError] = []
    fee_model = squeeze(cell_text(raw.get("fee_model")))
    lump_sum: Decimal | None = None
    royalty_bp: int | None = None
    if fee_model not in FEE_MODELS:
        errors.append(FieldError("fee_model", f"请选择付费方式：{'或'.join(FEE_MODELS)}"))
    elif fee_model == "一次性付费":
        text = cell_text(raw.get("lump_sum_yuan"))
        if not text:
            errors.append(FieldError("lump_sum_yuan", "一次性付费须填写许可使用费（元）"))
        else:
            try:
                lump_sum = parse_yuan(text).yuan
                if lump_sum <= 0:
                    errors.append(FieldError("lump_sum_yuan", "许可使用费应大于 0 元"))
            except AmountError as exc:
                errors.append(FieldError("lump_sum_yuan", f"许可使用费有误：{exc.message}"))
    else:
        try:
            royalty_bp = parse_rate(cell_text(raw.get("royalty_rate")))
        except ValueError as exc:
            errors.append(FieldError("royalty_rate", str(exc)))
    period_text = squeeze(cell_text(raw.get("period_years"))).removesuffix("年")
    period = 0
    try:
        period = int(Decimal(period_text)) if period_text else 0
        if Decimal(period_text or "0") != period:
            period = 0
    except InvalidOperation:
        period = 0
    if not 1 <= period <= MAX_PERIOD_YEARS:
        errors.append(FieldError("period_years", f"许可期限应为 1–{MAX_PERIOD_YEARS} 的整年数"))
    scope = " ".join(cell_text(raw.get("scope")).split())
    if not scope:
        errors.append(FieldError("scope", "请写明许可范围，如：中国境内，普通许可，用于储能电池生产"))
    elif len(scope) > SCOPE_MAX_CHARS:
        errors.append(FieldError("scope", f"许可范围不能超过 {SCOPE_MAX_CHARS} 个字"))
    if errors:
        raise ValidationFailed(errors)
    return LicenceTerms(fee_model, lump_sum if fee_model == "一次性付费" else None, royalty_bp, period, scope)


def check_declarable(*, status: str, legal_status: str) -> None:
    """A declaration needs a published offer on a granted, valid patent."""
    errors = []
    if status != "发布":
        errors.append(FieldError("offer", f"成果状态为「{status}」，只有已发布的成果可以声明开放许可"))
    if legal_status != "有效":
        errors.append(
            FieldError("offer", f"专利法律状态为「{legal_status}」，只有授权有效的专利可以声明开放许可")
        )
    if errors:
        raise ValidationFailed(errors)


def check_takeable(*, status: str, declared: bool, withdrawn: bool) -> None:
    """A licence is taken only on a published offer whose open licence stands."""
    if not declared:
        raise ValidationFailed([FieldError("offer", "该成果没有声明开放许可，请通过“申请会谈”与成果方协商")])
    if withdrawn:
        raise ValidationFailed([FieldError("offer", "该成果的开放许可已撤回，不能再按开放许可取得许可")])
    if status != "发布":
        raise ValidationFailed(
            [FieldError("offer", f"成果状态为「{status}」（已撤回或已转化），不能再按开放许可取得许可")]
        )


def licence_end(start: date, years: int) -> date:
    """The last day of a licence of ``years`` from ``start`` (29 February starts end on 28 February)."""
    try:
        after = start.replace(year=start.year + years)
    except ValueError:
        after = start.replace(year=start.year + years, day=28)
    return date.fromordinal(after.toordinal() - 1)
