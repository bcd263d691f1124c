"""The periodic bulletin (定期通报): the plan's indicators, turnover and pledge financing, events and what the
platform's own matches, meetings and licences led to, for one month, quarter or year.

The figures come from ``stats.dashboard`` for the same period, so a bulletin equals the 统计看板 filtered to
its period to the 分. Issuing freezes them as JSON (amounts in integer 分): a contract registered or voided
later changes the dashboard, never an issued bulletin. One bulletin per period.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, cast, func
from sqlmodel import Session, col, select

from matchmaker.domain import stats as figures_rules
from matchmaker.domain.errors import FieldError, NotFound, ValidationFailed
from matchmaker.domain.periods import KINDS, Period, parse_period
from matchmaker.services import indicators, licences, stats
from matchmaker.services.permissions import Actor, authorize
from matchmaker.storage import audit
from matchmaker.storage.models import Bulletin, Contract, Event, Meeting

TURNOVER_PARTS = ("field", "town", "institution", "type")


def _rows(rows: list[Any], count: str) -> list[list[Any]]:
    return [[r.label, getattr(r, count), r.amount_fen] for r in rows]


def _events(session: Session, period: Period) -> dict[str, Any]:
    events = list(
        session.exec(
            select(Event)
            .where(Event.event_date >= period.date_from, Event.event_date <= period.date_to)
            .order_by(col(Event.event_date))
        )
    )
    ids = [e.id for e in events]
    meetings = list(session.exec(select(Meeting).where(col(Meeting.event_id).in_(ids)))) if ids else []
    return {
        "held": len(events),
        "names": [f"{e.event_date.isoformat()} {e.name}" for e in events],
        "meetings": len(meetings),
        "attended": sum(1 for m in meetings if m.attendance == "到场"),
        "intent": sum(1 for m in meetings if m.outcome == "意向"),
        "signed": sum(1 for m in meetings if m.outcome == "签约"),
    }


def _meeting_contracts(session: Session, period: Period) -> tuple[int, int]:
    """Contracts registered in the period that came out of a docking-event meeting, and their turnover."""
    count, amount = session.exec(
        select(func.count(), cast(func.coalesce(func.sum(Contract.amount_fen), 0), BigInteger)).where(
            col(Contract.meeting_id).is_not(None),
            col(Contract.voided).is_(False),
            Contract.registered_on >= period.date_from,
            Contract.registered_on <= period.date_to,
        )
    ).one()
    return int(count), int(amount)


def _indicators(session: Session, period: Period) -> dict[str, Any]:
    """Each indicator of the plan covering the period, counted up to the period's last year."""
    year = period.last_month // 100
    found = indicators.plans(session, period.date_to)
    plan = next(
        (p for p in found if p.plan.start_year <= year <= p.plan.end_year), found[0] if found else None
    )
    if plan is None:
        return {"plan": "", "rows": []}
    rows = []
    for r in plan.rows:
        values = {y: v for y, v in r.values_by_year.items() if y <= year}
        result = figures_rules.attainment(
            r.indicator.kind, r.target, values, plan.plan.start_year, plan.plan.end_year, period.date_to
        )
        rows.append(
            {
                "category": r.indicator.category,
                "name": r.indicator.name,
                "unit": r.indicator.unit,
                "target": r.indicator.target,
                "kind": r.kind_label,
                "source": r.indicator.source,
                "actual": None if result.actual is None else format(result.actual.normalize(), "f"),
                "as_of_year": result.as_of_year,
                "percent": None if result.percent is None else str(result.percent),
            }
        )
    return {"plan": f"{plan.plan.name}（{plan.plan.start_year}–{plan.plan.end_year}）", "rows": rows}


def compute(session: Session, period: Period) -> dict[str, Any]:
    """Every figure of the bulletin for ``period``; refuses a period with no data at all."""
    board = stats.dashboard(session, stats.StatsFilters(*period.years, period=period), period.date_to)
    events = _events(session, period)
    taken, licensed, licensed_fen = licences.licensed_totals(session, period.date_from, period.date_to)
    meeting_count, meeting_fen = _meeting_contracts(session, period)
    if not (board.totals.contracts or board.pledges.total.pledges or events["held"] or taken):
        raise ValidationFailed(
            [
                FieldError(
                    "period",
                    f"{period.label}（{period.date_from.isoformat()} 至 {period.date_to.isoformat()}）没有登记的技术合同、"
                    "质押登记、对接会或开放许可，无法生成通报",
                )
            ]
        )
    return {
        "period": {
            "kind": period.kind,
            "key": period.key,
            "label": period.label,
            "date_from": period.date_from.isoformat(),
            "date_to": period.date_to.isoformat(),
        },
        "turnover": {
            "contracts": board.totals.contracts,
            "amount_fen": board.totals.amount_fen,
            "technology_amount_fen": board.totals.technology_amount_fen,
            "by": {by: _rows(board.breakdowns[by], "contracts") for by in TURNOVER_PARTS},
        },
        "pledges": {
            "pledges": board.pledges.total.pledges,
            "amount_fen": board.pledges.total.amount_fen,
            "by": {by: _rows(rows, "pledges") for by, rows in board.pledges.breakdowns.items()},
        },
        "indicators": _indicators(session, period),
        "events": events,
        "funnel": [[s.label, s.count] for s in board.funnel],
        "attribution": {
            "linked_contracts": board.funnel[-1].count if board.funnel else 0,
            "linked_fen": board.funnel_amount_fen,
            "meeting_contracts": meeting_count,
            "meeting_fen": meeting_fen,
            "licences": taken,
            "licence_contracts": licensed,
            "licence_fen": licensed_fen,
        },
    }


def title_of(period: Period) -> str:
    return f"溧阳市知识产权指标{KINDS[period.kind]}（{period.label}）"


@dataclass(frozen=True)
class Draft:
    """A bulletin not issued yet: what issuing would freeze."""

    period: Period
    title: str
    figures: dict[str, Any]


def preview(session: Session, period_text: str) -> Draft:
    period = parse_period(period_text)
    return Draft(period, title_of(period), compute(session, period))


def issue(session: Session, actor: Actor, period_text: str) -> Bulletin:
    """Compute and freeze the bulletin of a period; a period is issued once."""
    authorize(actor, "bulletin.issue")
    period = parse_period(period_text)
    existing = session.exec(select(Bulletin).where(Bulletin.period_key == period.key)).first()
    if existing is not None:
        raise ValidationFailed(
            [
                FieldError(
                    "period",
                    f"{period.label}的通报已于 {existing.issued_at:%Y-%m-%d} 发布（通报 #{existing.id}）",
                )
            ]
        )
    bulletin = Bulletin(
        period_kind=period.kind,
        period_key=period.key,
        title=title_of(period),
        figures=compute(session, period),
        issued_by=actor.id,
    )
    session.add(bulletin)
    session.flush()
    assert bulletin.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="bulletin",
        entity_id=bulletin.id,
        action="create",
        field="统计期",
        new=period.key,
        note=bulletin.title,
    )
    return bulletin


def get_bulletin(session: Session, bulletin_id: int) -> Bulletin:
    bulletin = session.get(Bulletin, bulletin_id)
    if bulletin is None:
        raise NotFound(f"通报 #{bulletin_id} 不存在")
    return bulletin


def archive(session: Session) -> list[Bulletin]:
    """Every issued bulletin, newest period first."""
    return list(
        session.exec(select(Bulletin).order_by(col(Bulletin.period_key).desc(), col(Bulletin.id).desc()))
    )


def yi(amount_fen: int, places: int = 4) -> Decimal:
    return (Decimal(amount_fen) / 10**10).quantize(Decimal(1).scaleb(-places))
