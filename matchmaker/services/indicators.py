"""The plan's indicator table: targets from ``seed/indicators.json``, actual values from contracts or the bureau.

Plans are data: each plan row has its years, each indicator its kind (cumulative / annual / stock / level)
and source. 技术合同成交额 (source ``contracts``) is computed from registered, non-voided contracts and
知识产权质押融资 (source ``pledges``) from the pledge register; every other indicator gets one exact value per year, entered by the bureau and audited old → new like a contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from matchmaker.domain import stats as figures
from matchmaker.domain.errors import FieldError, NotFound, ValidationFailed
from matchmaker.services import pledges, stats
from matchmaker.services.permissions import Actor, authorize
from matchmaker.storage import audit
from matchmaker.storage.models import AuditLog, Indicator, IndicatorValue, Plan


@dataclass(frozen=True)
class IndicatorProgress:
    """One line of the 规划指标 table."""

    indicator: Indicator
    target: Decimal
    attainment: figures.Attainment
    values_by_year: dict[int, Decimal]

    @property
    def kind_label(self) -> str:
        return figures.KINDS.get(self.indicator.kind, self.indicator.kind)

    @property
    def bar_percent(self) -> Decimal:
        """The progress bar's width: the share, capped at 100."""
        return min(self.attainment.percent or Decimal(0), Decimal(100))


@dataclass(frozen=True)
class PlanProgress:
    plan: Plan
    finished: bool
    rows: list[IndicatorProgress]


def _contract_values(
    session: Session, plan: Plan, indicator: Indicator, known: Mapping[tuple[int, int], Mapping[int, int]]
) -> dict[int, Decimal]:
    """Yearly registered turnover in the indicator's unit (exact: 亿元 with up to ten decimals)."""
    scale = (
        stats.target_fen(indicator) / Decimal(indicator.target) if Decimal(indicator.target) else Decimal(1)
    )
    by_year = known.get((plan.start_year, plan.end_year))
    if by_year is None:
        rows = stats.breakdown(session, stats.StatsFilters(plan.start_year, plan.end_year), "year")
        by_year = {int(r.key): r.amount_fen for r in rows}
    return {year: Decimal(amount) / scale for year, amount in by_year.items()}


def _pledge_values(session: Session, plan: Plan, indicator: Indicator) -> dict[int, Decimal]:
    """Yearly secured amounts registered in the pledge register, in the indicator's unit (exact)."""
    scale = (
        stats.target_fen(indicator) / Decimal(indicator.target) if Decimal(indicator.target) else Decimal(1)
    )
    by_year = pledges.by_year(session, date(plan.start_year, 1, 1), date(plan.end_year, 12, 31))
    return {year: Decimal(amount) / scale for year, amount in by_year.items()}


COMPUTED_SOURCES = {"contracts": "登记的技术合同", "pledges": "专利权质押登记"}


def plans(
    session: Session, today: date, known: Mapping[tuple[int, int], Mapping[int, int]] | None = None
) -> list[PlanProgress]:
    """Every plan (newest first) with each indicator's actual figure and attainment. ``known``: turnover per
    year (分) of a plan period the caller has already computed (the dashboard's goal), keyed by its years."""
    out = []
    for plan in session.exec(select(Plan).order_by(col(Plan.start_year).desc())):
        indicators = list(
            session.exec(
                select(Indicator).where(Indicator.plan_id == plan.id).order_by(col(Indicator.sort_order))
            )
        )
        entered: dict[int, dict[int, Decimal]] = {}
        ids = [i.id for i in indicators]
        for value in session.exec(select(IndicatorValue).where(col(IndicatorValue.indicator_id).in_(ids))):
            entered.setdefault(value.indicator_id, {})[value.year] = Decimal(value.value)
        rows = []
        for indicator in indicators:
            assert indicator.id is not None
            if indicator.source == "contracts":
                values = _contract_values(session, plan, indicator, known or {})
            elif indicator.source == "pledges":
                values = _pledge_values(session, plan, indicator)
            else:
                values = entered.get(indicator.id, {})
            target = Decimal(indicator.target)
            result = figures.attainment(indicator.kind, target, values, plan.start_year, plan.end_year, today)
            rows.append(IndicatorProgress(indicator, target, result, values))
        out.append(PlanProgress(plan, today.year > plan.end_year, rows))
    return out


def set_value(
    session: Session, actor: Actor, indicator_id: int, year_text: str, value_text: str
) -> IndicatorValue:
    """Enter or correct one year's actual value; the old and new values go to the audit trail."""
    authorize(actor, "indicator.manage")
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound("指标不存在")
    plan = session.get(Plan, indicator.plan_id)
    assert plan is not None
    errors: list[FieldError] = []
    if indicator.source in COMPUTED_SOURCES:
        errors.append(
            FieldError(
                "indicator_id",
                f"「{indicator.name}」由{COMPUTED_SOURCES[indicator.source]}自动计算，不能手工填写",
            )
        )
    year_text = year_text.strip()
    year = int(year_text) if year_text.isdigit() else None
    if year is None or not plan.start_year <= year <= plan.end_year:
        errors.append(FieldError("year", f"年份应在规划期 {plan.start_year}–{plan.end_year} 年之内"))
    value: Decimal | None = None
    try:
        value = figures.parse_indicator_value(value_text)
    except ValidationFailed as failed:
        errors.extend(failed.errors)
    if errors or value is None or year is None:
        raise ValidationFailed(errors)
    text = format(value, "f")
    row = session.exec(
        select(IndicatorValue).where(IndicatorValue.indicator_id == indicator_id, IndicatorValue.year == year)
    ).first()
    old = row.value if row else None
    if row is None:
        row = IndicatorValue(indicator_id=indicator_id, year=year, value=text, entered_by=actor.id)
    else:
        row.value, row.entered_by = text, actor.id
    session.add(row)
    session.flush()
    if old != text:
        audit.record(
            session,
            user_id=actor.id,
            username=actor.username,
            entity="indicator",
            entity_id=indicator_id,
            action="create" if old is None else "update",
            field=f"{year}年实际值",
            old=old,
            new=text,
            note=f"{indicator.name}（{indicator.unit}）",
        )
    return row


def history(session: Session, indicator_id: int) -> list[AuditLog]:
    return audit.history(session, "indicator", indicator_id)
