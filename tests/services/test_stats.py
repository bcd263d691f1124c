"""Aggregate statistics on SQLite and PostgreSQL: the trigger-kept summary always equals the contracts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import BigInteger, cast
from sqlmodel import Session, col, func, select

from matchmaker.domain.errors import ValidationFailed
from matchmaker.services import indicators, stats
from matchmaker.services.permissions import Actor
from matchmaker.services.seeding import seed_reference
from matchmaker.settings import PROJECT_ROOT
from matchmaker.storage.models import AuditLog, Contract, ContractRollup, Indicator, Institution

BUREAU = Actor(id=None, username="ipo_stats", role="bureau")


@pytest.fixture
def db(session: Session) -> Session:
    seed_reference(session, PROJECT_ROOT / "seed")
    session.flush()
    return session


def add(db: Session, n: int, amount_fen: int, registered: date, **fields: object) -> Contract:
    values: dict[str, object] = {
        "registration_number": f"{registered.year}3204810{n:05d}",
        "title": f"合同{n}",
        "contract_type": "技术服务",
        "seller_name": "东南大学溧阳研究院",
        "buyer_name": "企业",
        "buyer_credit_code": "x",
        "amount_fen": amount_fen,
        "technology_amount_fen": amount_fen,
        "signed_on": registered,
        "registered_on": registered,
        "field": "电子信息",
        "town": "昆仑街道",
    }
    values.update(fields)
    contract = Contract(**values)
    db.add(contract)
    db.flush()
    return contract


def direct_sum(db: Session) -> int:
    stmt = select(cast(func.coalesce(func.sum(Contract.amount_fen), 0), BigInteger)).where(
        col(Contract.voided).is_(False)
    )
    return int(db.exec(stmt).one())


def test_sums_come_back_as_python_int_on_both_databases(db: Session) -> None:
    add(db, 1, 10_000_000_000_01, date(2022, 5, 1))
    total = stats.totals(db, stats.StatsFilters())
    assert (type(total.amount_fen), total.amount_fen, total.contracts) == (int, 10_000_000_000_01, 1)


def test_the_summary_follows_updates_voids_and_deletes(db: Session) -> None:
    a = add(db, 1, 100, date(2022, 5, 1))
    b = add(db, 2, 250, date(2023, 7, 9), town="溧城街道")
    add(db, 3, 7, date(2023, 8, 1), voided=True)
    a.amount_fen, a.registered_on = 130, date(2024, 1, 2)
    db.add(a)
    b.voided = True
    db.add(b)
    db.flush()
    c = add(db, 4, 99, date(2021, 1, 1))
    db.delete(c)
    db.flush()
    by_year = {r.label: r.amount_fen for r in stats.breakdown(db, stats.StatsFilters(), "year")}
    assert (by_year, stats.totals(db, stats.StatsFilters()).amount_fen, direct_sum(db)) == (
        {"2024": 130},
        130,
        130,
    )


def test_breakdowns_honour_period_field_and_town(db: Session) -> None:
    add(db, 1, 100, date(2021, 3, 1))
    add(db, 2, 200, date(2022, 3, 1), field="农业")
    add(db, 3, 400, date(2022, 4, 1), town="上黄镇")
    add(
        db,
        4,
        800,
        date(2023, 4, 1),
        seller_name="某企业",
        seller_institution_id=None,
        contract_type="技术开发",
    )
    filters = stats.StatsFilters(year_from=2022, year_to=2023, field="电子信息")
    institutions = {r.label: r.amount_fen for r in stats.breakdown(db, filters, "institution")}
    towns = {r.label: r.amount_fen for r in stats.breakdown(db, filters, "town")}
    types = {r.label: r.amount_fen for r in stats.breakdown(db, filters, "type")}
    assert (institutions, towns, types) == (
        {"其他卖方（企业）": 1200},
        {"昆仑街道": 800, "上黄镇": 400},
        {"技术开发": 800, "技术服务": 400},
    )


def test_an_unknown_breakdown_is_refused(db: Session) -> None:
    with pytest.raises(ValidationFailed) as failed:
        stats.breakdown(db, stats.StatsFilters(), "colour")
    assert failed.value.errors[0].field == "by"


def test_filters_from_the_query_string_are_checked() -> None:
    with pytest.raises(ValidationFailed) as failed:
        stats.parse_filters(
            {"year_from": "2025", "year_to": "2023", "town": "火星"}, fields=(), towns=("昆仑街道",)
        )
    assert [e.field for e in failed.value.errors] == ["year_to", "town"]


def test_the_goal_counts_the_plan_period_against_150_yi(db: Session) -> None:
    add(db, 1, 300_000_000_000, date(2021, 6, 1))
    add(db, 2, 5, date(2026, 1, 1))
    found = stats.turnover_plan(db)
    assert found is not None
    goal = stats.goal(db, *found, date(2023, 2, 1))
    assert (
        goal.target_fen,
        goal.done_fen,
        str(goal.share_percent),
        goal.years_remaining,
        goal.pace_fen,
        goal.path[5],
    ) == (
        1_500_000_000_000,
        300_000_000_000,
        "20.00",
        3,
        400_000_000_000,
        (202106, 300_000_000_000, 150_000_000_000),
    )


def test_the_turnover_indicator_is_computed_from_contracts(db: Session) -> None:
    add(db, 1, 750_000_000_000, date(2022, 6, 1))
    plan = indicators.plans(db, date(2026, 3, 1))[0]
    row = next(r for r in plan.rows if r.indicator.source == "contracts")
    assert (plan.finished, str(row.attainment.actual), str(row.attainment.percent)) == (True, "75", "50.00")


def test_an_entered_value_is_audited_old_to_new_and_counted(db: Session) -> None:
    indicator = db.exec(select(Indicator).where(Indicator.code == "pct_applications")).one()
    indicators.set_value(db, BUREAU, indicator.id or 0, "2021", "40")
    indicators.set_value(db, BUREAU, indicator.id or 0, "2021", "45.5")
    indicators.set_value(db, BUREAU, indicator.id or 0, "2022", "60")
    trail = [(e.field, e.old, e.new) for e in indicators.history(db, indicator.id or 0)]
    row = next(r for r in indicators.plans(db, date(2023, 1, 1))[0].rows if r.indicator.id == indicator.id)
    assert (trail, str(row.attainment.actual), str(row.attainment.percent)) == (
        [("2021年实际值", None, "40"), ("2021年实际值", "40", "45.5"), ("2022年实际值", None, "60")],
        "105.5",
        "52.75",
    )


@pytest.mark.parametrize(
    ("year", "value", "field"), [("2021", "0.1+0.2", "value"), ("2030", "5", "year"), ("2021", "-1", "value")]
)
def test_bad_indicator_values_write_nothing(db: Session, year: str, value: str, field: str) -> None:
    indicator = db.exec(select(Indicator).where(Indicator.code == "pct_applications")).one()
    before = db.exec(select(func.count()).select_from(AuditLog)).one()
    with pytest.raises(ValidationFailed) as failed:
        indicators.set_value(db, BUREAU, indicator.id or 0, year, value)
    assert (
        [e.field for e in failed.value.errors],
        db.exec(select(func.count()).select_from(AuditLog)).one(),
    ) == ([field], before)


def test_the_turnover_indicator_cannot_be_typed_in(db: Session) -> None:
    indicator = db.exec(select(Indicator).where(Indicator.source == "contracts")).one()
    with pytest.raises(ValidationFailed) as failed:
        indicators.set_value(db, BUREAU, indicator.id or 0, "2021", "1")
    assert failed.value.errors[0].message == "「技术合同成交额」由登记的技术合同自动计算，不能手工填写"


def test_rebuilding_the_summary_gives_what_the_triggers_kept(db: Session) -> None:
    add(db, 1, 100, date(2021, 3, 1))
    add(db, 2, 200, date(2022, 12, 31), field="农业")
    add(db, 3, 400, date(2022, 12, 5), voided=True)
    before = [(r.key, r.amount_fen) for r in stats.breakdown(db, stats.StatsFilters(), "field")]
    monthly = stats.monthly_fen(db, stats.StatsFilters())
    stats.rebuild_summary(db)
    assert (
        [(r.key, r.amount_fen) for r in stats.breakdown(db, stats.StatsFilters(), "field")],
        stats.monthly_fen(db, stats.StatsFilters()),
    ) == (before, monthly)


def test_the_dashboard_reuses_its_month_pass_for_the_goal_and_gets_the_same_figures(db: Session) -> None:
    add(db, 1, 100, date(2021, 3, 1))
    add(db, 2, 250, date(2024, 11, 30))
    add(db, 3, 9, date(2026, 2, 1))
    board = stats.dashboard(db, stats.StatsFilters(), date(2026, 3, 1))
    found = stats.turnover_plan(db)
    assert found is not None
    alone = stats.goal(db, *found, date(2026, 3, 1))
    reused = [
        r.attainment
        for r in indicators.plans(db, date(2026, 3, 1), {(2021, 2025): board.goal.by_year_fen})[0].rows
    ]
    fresh = [r.attainment for r in indicators.plans(db, date(2026, 3, 1))[0].rows]
    assert (board.goal, board.goal.by_year_fen, board.totals.amount_fen, reused) == (
        alone,
        {2021: 100, 2024: 250},
        359,
        fresh,
    )


def rollups(db: Session) -> dict[tuple[str, int, str], tuple[int, int, int]]:
    """The rollup's non-empty cells (a cell emptied by a void or an update stays behind as zeros)."""
    rows = db.exec(
        select(
            ContractRollup.dimension,
            ContractRollup.month,
            ContractRollup.item,
            ContractRollup.contracts,
            ContractRollup.amount_fen,
            ContractRollup.technology_amount_fen,
        )
    )
    return {(d, m, i): (n, a, t) for d, m, i, n, a, t in rows if (n, a, t) != (0, 0, 0)}


def rollups_from_contracts(db: Session) -> dict[tuple[str, int, str], tuple[int, int, int]]:
    """What the rollup should hold, summed here in Python from the live contracts."""
    expected: dict[tuple[str, int, str], tuple[int, int, int]] = {}
    for c in db.exec(select(Contract).where(col(Contract.voided).is_(False))):
        month = c.registered_on.year * 100 + c.registered_on.month
        items = {
            "field": c.field,
            "town": c.town,
            "institution": str(c.seller_institution_id or 0),
            "type": c.contract_type,
        }
        for dimension, item in items.items():
            n, a, t = expected.get((dimension, month, item), (0, 0, 0))
            expected[(dimension, month, item)] = (n + 1, a + c.amount_fen, t + c.technology_amount_fen)
    return expected


def test_the_rollups_equal_the_contracts_after_inserts_updates_voids_deletes_and_a_rebuild(
    db: Session,
) -> None:
    a = add(db, 1, 100, date(2022, 5, 1), technology_amount_fen=60)
    b = add(db, 2, 250, date(2023, 7, 9), town="溧城街道")
    add(db, 3, 7, date(2023, 8, 1), voided=True)
    add(db, 4, 40, date(2022, 5, 20), field="农业", seller_institution_id=None, contract_type="技术开发")
    a.amount_fen, a.registered_on, a.field = 130, date(2024, 1, 2), "农业"
    db.add(a)
    b.voided = True
    db.add(b)
    db.flush()
    db.delete(add(db, 5, 99, date(2021, 1, 1)))
    db.flush()
    kept = rollups(db)
    stats.rebuild_summary(db)
    by_field = {(m, i): v for (d, m, i), v in kept.items() if d == "field"}
    assert (by_field, kept, rollups(db)) == (
        {(202205, "农业"): (1, 40, 40), (202401, "农业"): (1, 130, 60)},
        rollups_from_contracts(db),
        kept,
    )


def test_a_period_without_field_or_town_is_broken_down_from_the_rollups_exactly(db: Session) -> None:
    add(db, 1, 100, date(2021, 3, 1))
    add(db, 2, 200, date(2022, 3, 1), field="农业")
    add(db, 3, 400, date(2022, 4, 1), town="上黄镇", seller_name="某企业")
    institution = db.exec(select(Institution).where(Institution.canonical_name == "东南大学溧阳研究院")).one()
    add(db, 4, 800, date(2023, 4, 1), contract_type="技术开发", seller_institution_id=institution.id)
    period = stats.StatsFilters(year_from=2022, year_to=2023)
    rolled = {
        by: [(r.label, r.amount_fen) for r in stats.breakdown(db, period, by)] for by in stats.BREAKDOWNS
    }
    assert (rolled, stats.monthly_fen(db, period)) == (
        {
            "year": [("2022", 600), ("2023", 800)],
            "field": [("电子信息", 1200), ("农业", 200)],
            "town": [("昆仑街道", 1000), ("上黄镇", 400)],
            "institution": [("东南大学溧阳研究院", 800), ("其他卖方（企业）", 600)],
            "type": [("技术开发", 800), ("技术服务", 600)],
        },
        {202203: 200, 202204: 400, 202304: 800},
    )
