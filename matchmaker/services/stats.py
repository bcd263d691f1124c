"""The bureau's figures: turnover against the plan, breakdowns, the conversion funnel — aggregate SQL only.

Turnover comes from ``contract_stat`` (one row per month × field × town × seller institution × type, kept
equal to ``contract`` by the triggers of migration 0004), grouped again in the database. When neither field nor
town is filtered, the smaller ``contract_rollup`` (month × one dimension, migration 0006) answers instead: a few
hundred rows per breakdown rather than ≈200,000 cells on a million contracts. Sums are integer 分
cast to BIGINT in SQL, so SQLite (int) and PostgreSQL (numeric for ``sum(bigint)``) hand back the same Python
``int``. Registration date decides the month and year a contract counts in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Integer, String, cast, delete, extract, func, insert, literal, union
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from matchmaker.domain import stats as figures
from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.domain.money import fen_to_yuan
from matchmaker.domain.periods import Period, parse_period
from matchmaker.domain.vocab import PUBLIC_OFFER_STATUSES
from matchmaker.services import pledges
from matchmaker.storage.models import (
    Contract,
    ContractRollup,
    ContractStat,
    Event,
    EventPair,
    Indicator,
    Institution,
    Meeting,
    MeetingRequest,
    Offer,
    Plan,
    RequestMeeting,
)

TURNOVER_CODE = "technology_contract_turnover"
BREAKDOWNS: Mapping[str, str] = {
    "year": "登记年度",
    "field": "技术领域",
    "town": "所在镇（街道）",
    "institution": "卖方单位",
    "type": "合同类型",
}
OTHER_SELLER = "其他卖方（企业）"
UNSET = "（未填写）"
#: breakdown → its ``contract_stat`` column; each also names a ``contract_rollup`` dimension
_DIMENSIONS: Mapping[str, Any] = {
    "field": ContractStat.field,
    "town": ContractStat.town,
    "institution": ContractStat.seller_institution_id,
    "type": ContractStat.contract_type,
}
#: the rollup the month pass reads (any dimension sums to the same months; type has the fewest items)
_MONTH_DIMENSION = "type"


@dataclass(frozen=True)
class StatsFilters:
    """Period (registration years, inclusive), contract technology field and town; empty = all. A ``period``
    (a month or quarter of the 定期通报) narrows the years to its months."""

    year_from: int | None = None
    year_to: int | None = None
    field: str = ""
    town: str = ""
    period: Period | None = None

    def first_month(self) -> int | None:
        if self.period is not None:
            return self.period.first_month
        return self.year_from * 100 + 1 if self.year_from else None

    def last_month(self) -> int | None:
        if self.period is not None:
            return self.period.last_month
        return self.year_to * 100 + 12 if self.year_to else None

    def date_from(self) -> date | None:
        first = self.first_month()
        return date(first // 100, first % 100, 1) if first else None

    def date_to(self) -> date | None:
        if self.period is not None:
            return self.period.date_to
        return date(self.year_to, 12, 31) if self.year_to else None

    def label(self) -> str:
        parts = []
        if self.period is not None:
            parts.append(self.period.label)
        elif self.year_from or self.year_to:
            parts.append(f"{self.year_from or '…'}–{self.year_to or '…'} 年")
        if self.field:
            parts.append(f"技术领域：{self.field}")
        if self.town:
            parts.append(f"镇（街道）：{self.town}")
        return "；".join(parts) or "全部"


def parse_filters(
    params: Mapping[str, str], *, fields: tuple[str, ...], towns: tuple[str, ...]
) -> StatsFilters:
    """Filters from a query string; an impossible year range or unknown field/town is refused in Chinese."""
    errors: list[FieldError] = []

    def year(name: str) -> int | None:
        text = (params.get(name) or "").strip()
        if not text:
            return None
        if not text.isdigit() or not 1990 <= int(text) <= 2100:
            errors.append(FieldError(name, f"年份「{text}」应为 1990–2100 之间的四位数字"))
            return None
        return int(text)

    period: Period | None = None
    period_text = (params.get("period") or "").strip()
    if period_text:
        try:
            period = parse_period(period_text)
        except ValidationFailed as failed:
            errors.extend(failed.errors)
    year_from: int | None
    year_to: int | None
    if period is not None:
        year_from, year_to = period.years
    else:
        year_from, year_to = year("year_from"), year("year_to")
    if year_from and year_to and year_from > year_to:
        errors.append(FieldError("year_to", f"结束年份 {year_to} 早于起始年份 {year_from}"))
    field_name = (params.get("field") or "").strip()
    if field_name and field_name not in fields:
        errors.append(FieldError("field", f"技术领域「{field_name}」不在列表中"))
    town = (params.get("town") or "").strip()
    if town and town not in towns:
        errors.append(FieldError("town", f"镇（街道）「{town}」不在列表中"))
    if errors:
        raise ValidationFailed(errors)
    return StatsFilters(year_from, year_to, field_name, town, period)


def rebuild_summary(session: Session) -> None:
    """Recompute ``contract_stat`` from ``contract`` in one statement, then ``contract_rollup`` from it. The
    triggers keep both current; this is for a bulk load that bypassed them (PostgreSQL ``COPY`` with triggers
    off, as ``bench/stats.py`` does)."""
    registered = col(Contract.registered_on)
    month = cast(extract("year", registered) * 100 + extract("month", registered), Integer)
    seller = func.coalesce(Contract.seller_institution_id, 0)
    rows = (
        sa_select(
            month,
            col(Contract.field),
            col(Contract.town),
            seller,
            col(Contract.contract_type),
            func.count(),
            func.sum(Contract.amount_fen),
            func.sum(Contract.technology_amount_fen),
        )
        .where(col(Contract.voided).is_(False))
        .group_by(month, Contract.field, Contract.town, seller, Contract.contract_type)
    )
    session.execute(delete(ContractStat))
    session.execute(
        insert(ContractStat).from_select(
            [
                "month",
                "field",
                "town",
                "seller_institution_id",
                "contract_type",
                "contracts",
                "amount_fen",
                "technology_amount_fen",
            ],
            rows,
        )
    )
    session.execute(delete(ContractRollup))
    for dimension, column in _DIMENSIONS.items():
        item = cast(column, String) if dimension == "institution" else column
        grouped = sa_select(
            literal(dimension),
            col(ContractStat.month),
            item,
            func.sum(ContractStat.contracts),
            func.sum(ContractStat.amount_fen),
            func.sum(ContractStat.technology_amount_fen),
        ).group_by(col(ContractStat.month), item)
        session.execute(
            insert(ContractRollup).from_select(
                ["dimension", "month", "item", "contracts", "amount_fen", "technology_amount_fen"], grouped
            )
        )


def _rolled_up(filters: StatsFilters) -> bool:
    """Whether ``contract_rollup`` can answer: it keeps the month, but neither field nor town beside another."""
    return not filters.field and not filters.town


def _where(stmt: Any, filters: StatsFilters, table: Any = ContractStat) -> Any:
    if filters.first_month():
        stmt = stmt.where(table.month >= filters.first_month())
    if filters.last_month():
        stmt = stmt.where(table.month <= filters.last_month())
    if filters.field:
        stmt = stmt.where(ContractStat.field == filters.field)
    if filters.town:
        stmt = stmt.where(ContractStat.town == filters.town)
    return stmt


def _sums(table: Any = ContractStat) -> tuple[Any, Any, Any]:
    return (
        cast(func.coalesce(func.sum(table.contracts), 0), BigInteger),
        cast(func.coalesce(func.sum(table.amount_fen), 0), BigInteger),
        cast(func.coalesce(func.sum(table.technology_amount_fen), 0), BigInteger),
    )


@dataclass(frozen=True)
class Row:
    """One line of a breakdown; ``key`` sorts and links, ``label`` is what people read."""

    key: str
    label: str
    contracts: int
    amount_fen: int
    technology_amount_fen: int

    @property
    def amount_yuan(self) -> Decimal:
        return fen_to_yuan(self.amount_fen)


def monthly(session: Session, filters: StatsFilters) -> dict[int, tuple[int, int, int]]:
    """``yyyymm`` → (contracts, turnover 分, technology turnover 分): one pass over the month index, from which
    totals, the year breakdown and the cumulative path are all derived."""
    if _rolled_up(filters):
        stmt = (
            _where(select(ContractRollup.month, *_sums(ContractRollup)), filters, ContractRollup)
            .where(ContractRollup.dimension == _MONTH_DIMENSION)
            .group_by(ContractRollup.month)
        )
    else:
        stmt = _where(select(ContractStat.month, *_sums()), filters).group_by(ContractStat.month)
    return {int(m): (int(n), int(a), int(t)) for m, n, a, t in session.exec(stmt)}


def _total_of(by_month: dict[int, tuple[int, int, int]]) -> Row:
    return Row("total", "合计", *(sum(v[i] for v in by_month.values()) for i in range(3)))


def totals(session: Session, filters: StatsFilters) -> Row:
    """Contracts, turnover and technology turnover (分) of everything the filters select."""
    return _total_of(monthly(session, filters))


def monthly_fen(session: Session, filters: StatsFilters) -> dict[int, int]:
    """Turnover per ``yyyymm``."""
    return {m: v[1] for m, v in monthly(session, filters).items()}


def _by_year(by_month: dict[int, tuple[int, int, int]]) -> list[Row]:
    years: dict[int, list[int]] = {}
    for month, values in by_month.items():
        acc = years.setdefault(month // 100, [0, 0, 0])
        for i in range(3):
            acc[i] += values[i]
    return [Row(str(y), str(y), *v) for y, v in sorted(years.items()) if v[0] > 0]


def breakdown(session: Session, filters: StatsFilters, by: str) -> list[Row]:
    """Turnover grouped by ``by`` (one of ``BREAKDOWNS``), largest first (years in order)."""
    if by not in BREAKDOWNS:
        raise ValidationFailed([FieldError("by", f"分组方式「{by}」无效，应为 {'、'.join(BREAKDOWNS)} 之一")])
    if by == "year":
        return _by_year(monthly(session, filters))
    if _rolled_up(filters):
        stmt = (
            _where(select(ContractRollup.item, *_sums(ContractRollup)), filters, ContractRollup)
            .where(ContractRollup.dimension == by)
            .group_by(ContractRollup.item)
            .having(func.sum(ContractRollup.contracts) > 0)
        )
    else:
        key = _DIMENSIONS[by]
        stmt = (
            _where(select(key, *_sums()), filters).group_by(key).having(func.sum(ContractStat.contracts) > 0)
        )
    names: dict[int, str] = {}
    if by == "institution":
        names = {i.id or 0: i.canonical_name for i in session.exec(select(Institution))}
    rows = []
    for value, count, amount, technology in session.exec(stmt):
        if by == "institution":
            label = names.get(int(value), OTHER_SELLER)
        else:
            label = str(value) if value not in ("", None) else UNSET
        rows.append(Row(str(value), label, int(count), int(amount), int(technology)))
    return sorted(rows, key=lambda r: (-r.amount_fen, r.label))


@dataclass(frozen=True)
class Goal:
    """Turnover of the plan period against its target, with the pace still needed."""

    plan_name: str
    start_year: int
    end_year: int
    target_fen: int
    done_fen: int
    contracts: int
    share_percent: Decimal
    years_remaining: int
    pace_fen: int | None
    #: yyyymm → (cumulative turnover, straight-line target) in 分, over the whole plan period
    path: list[tuple[int, int, int]] = field(default_factory=list)
    #: turnover per registration year of the period, 分 (years without contracts left out)
    by_year_fen: dict[int, int] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.years_remaining == 0


def turnover_plan(session: Session) -> tuple[Plan, Indicator] | None:
    """The plan whose 技术合同成交额 indicator is current: the one covering today, else the latest."""
    rows = list(
        session.exec(
            select(Plan, Indicator)
            .join(Indicator, col(Indicator.plan_id) == col(Plan.id))
            .where(Indicator.source == "contracts")
            .order_by(col(Plan.start_year))
        )
    )
    if not rows:
        return None
    today = date.today()
    current = [r for r in rows if r[0].start_year <= today.year <= r[0].end_year]
    plan, indicator = (current or rows)[-1]
    return plan, indicator


def target_fen(indicator: Indicator) -> int:
    """Targets in 亿元 or 万元 or 元 (as the indicator table writes them) as exact 分."""
    scale = {"亿元": figures.YUAN_PER_YI, "万元": Decimal(10_000), "元": Decimal(1)}[indicator.unit]
    return int(Decimal(indicator.target) * scale * 100)


def goal(
    session: Session,
    plan: Plan,
    indicator: Indicator,
    today: date,
    by_month: dict[int, tuple[int, int, int]] | None = None,
) -> Goal:
    """Turnover registered within the plan's years against the indicator's target (``by_month``: the plan
    period's months when the caller has them already)."""
    if by_month is None:
        by_month = monthly(session, StatsFilters(plan.start_year, plan.end_year))
    total = _total_of(by_month)
    target = target_fen(indicator)
    remaining = figures.years_remaining(plan.start_year, plan.end_year, today)
    months = figures.month_keys(plan.start_year, plan.end_year)
    running = figures.cumulative({m: v[1] for m, v in by_month.items()}, months)
    line = figures.straight_line_fen(target, plan.start_year, plan.end_year)
    last_month = today.year * 100 + today.month
    path = [(m, running[m], line[m]) for m in months if m <= max(last_month, months[0])]
    return Goal(
        plan_name=plan.name,
        start_year=plan.start_year,
        end_year=plan.end_year,
        target_fen=target,
        done_fen=total.amount_fen,
        contracts=total.contracts,
        share_percent=figures.share_percent(total.amount_fen, target),
        years_remaining=remaining,
        pace_fen=figures.pace_needed_fen(total.amount_fen, target, remaining),
        path=path,
        by_year_fen={int(r.key): r.amount_fen for r in _by_year(by_month)},
    )


@dataclass(frozen=True)
class FunnelStep:
    label: str
    count: int
    note: str


def _day_start(day: date) -> datetime:
    """00:00 Beijing time of ``day``, as the aware UTC instant stored times compare with."""
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def funnel(session: Session, filters: StatsFilters) -> tuple[list[FunnelStep], int]:
    """Offers published → matched pairs → meetings held → 意向 → contracts from a meeting or an offer, and
    those contracts' turnover in 分. Events count in the period by their date, contracts by registration."""
    offers = session.exec(
        select(func.count()).select_from(Offer).where(col(Offer.status).in_(PUBLIC_OFFER_STATUSES))
    ).one()
    event_ids = select(Event.id)
    date_from, date_to = filters.date_from(), filters.date_to()
    if date_from:
        event_ids = event_ids.where(Event.event_date >= date_from)
    if date_to:
        event_ids = event_ids.where(Event.event_date <= date_to)
    pairs = session.exec(
        select(func.count())
        .select_from(EventPair)
        .where(col(EventPair.event_id).in_(event_ids), col(EventPair.excluded).is_(False))
    ).one()
    meetings = select(func.count()).select_from(Meeting).where(col(Meeting.event_id).in_(event_ids))
    held = session.exec(meetings.where(Meeting.attendance == "到场")).one()
    intent = session.exec(meetings.where(col(Meeting.outcome).in_(("意向", "签约")))).one()
    # Meetings agreed after an accepted request count like event meetings: the accepted request is the pair,
    # a recorded outcome means the meeting took place (services.request_meetings).
    accepted = select(func.count()).select_from(MeetingRequest).where(MeetingRequest.state == "已接受")
    agreed = select(func.count()).select_from(RequestMeeting).where(col(RequestMeeting.outcome).is_not(None))
    if date_from:
        accepted = accepted.where(col(MeetingRequest.responded_at) >= _day_start(date_from))
        agreed = agreed.where(col(RequestMeeting.starts_at) >= _day_start(date_from))
    if date_to:
        accepted = accepted.where(col(MeetingRequest.responded_at) < _day_start(date_to + timedelta(days=1)))
        agreed = agreed.where(col(RequestMeeting.starts_at) < _day_start(date_to + timedelta(days=1)))
    pairs += session.exec(accepted).one()
    held += session.exec(agreed).one()
    intent += session.exec(agreed.where(col(RequestMeeting.outcome).in_(("意向", "签约")))).one()
    # Found through the link indexes (a union of two index ranges), never by scanning every contract.
    linked_ids = union(
        select(Contract.id.label("linked_id")).where(col(Contract.meeting_id).is_not(None)),  # type: ignore[union-attr]
        select(Contract.id).where(col(Contract.offer_id).is_not(None)),
    ).subquery()
    linked = (
        select(func.count(), cast(func.coalesce(func.sum(Contract.amount_fen), 0), BigInteger))
        .select_from(linked_ids)
        .join(Contract, col(Contract.id) == linked_ids.c.linked_id)
        .where(col(Contract.voided).is_(False))
    )
    if date_from:
        linked = linked.where(Contract.registered_on >= date_from)
    if date_to:
        linked = linked.where(Contract.registered_on <= date_to)
    if filters.field:
        linked = linked.where(Contract.field == filters.field)
    if filters.town:
        linked = linked.where(Contract.town == filters.town)
    contracts, amount = session.exec(linked).one()
    steps = [
        FunnelStep("已发布专利成果", int(offers), "状态为发布或已转化的成果"),
        FunnelStep("对接配对", int(pairs), "对接会中的成果—需求配对与已接受的会谈请求"),
        FunnelStep("到场会谈", int(held), "记录为到场的对接会会谈与记录了结果的约谈"),
        FunnelStep("达成意向", int(intent), "结果为意向或签约的会谈"),
        FunnelStep("签订合同", int(contracts), "关联会谈或成果的已登记合同"),
    ]
    return steps, int(amount)


@dataclass(frozen=True)
class PledgeFigures:
    """知识产权质押融资 of the selected years (registration date) and its breakdowns by bank, field and town."""

    total: pledges.FinancingRow
    breakdowns: dict[str, list[pledges.FinancingRow]]


def pledge_figures(session: Session, date_from: date | None, date_to: date | None) -> PledgeFigures:
    return PledgeFigures(
        total=pledges.financing(session, date_from, date_to),
        breakdowns={by: pledges.breakdown(session, date_from, date_to, by) for by in pledges.BREAKDOWNS},
    )


@dataclass(frozen=True)
class Dashboard:
    filters: StatsFilters
    goal: Goal | None
    totals: Row
    breakdowns: dict[str, list[Row]]
    funnel: list[FunnelStep]
    funnel_amount_fen: int
    pledges: PledgeFigures


def dashboard(session: Session, filters: StatsFilters, today: date) -> Dashboard:
    """Everything the 统计看板 shows, computed once (the page, its exports and the API share it)."""
    found = turnover_plan(session)
    steps, funnel_amount = funnel(session, filters)
    by_month = monthly(session, filters)
    plan_months = None
    if (
        found
        and not filters.field
        and not filters.town
        and filters.period is None
        and (filters.year_from or 0) <= found[0].start_year
        and (filters.year_to or 9999) >= found[0].end_year
    ):
        # The filtered months include the whole plan period: no second pass over the summary.
        plan_months = {
            m: v for m, v in by_month.items() if found[0].start_year <= m // 100 <= found[0].end_year
        }
    return Dashboard(
        filters=filters,
        goal=goal(session, found[0], found[1], today, plan_months) if found else None,
        totals=_total_of(by_month),
        breakdowns={
            by: _by_year(by_month) if by == "year" else breakdown(session, filters, by) for by in BREAKDOWNS
        },
        funnel=steps,
        funnel_amount_fen=funnel_amount,
        pledges=pledge_figures(
            session,
            filters.date_from(),
            filters.date_to(),
        ),
    )
