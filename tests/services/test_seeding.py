"""Demo data loads on SQLite and PostgreSQL alike, and loading it twice adds nothing."""

from __future__ import annotations

from sqlmodel import Session, func, select

from matchmaker.services.seeding import seed_demo
from matchmaker.settings import PROJECT_ROOT
from matchmaker.storage.models import Contract, Event, Indicator, Judgement, Meeting, Need, Offer


def _counts(session: Session) -> dict[str, int]:
    return {
        m.__name__: session.exec(select(func.count()).select_from(m)).one()
        for m in (Offer, Need, Contract, Meeting, Indicator)
    }


def test_demo_seed_is_idempotent_on_every_database(session: Session) -> None:
    first = seed_demo(session, PROJECT_ROOT / "seed")
    after_first = _counts(session)
    second = seed_demo(session, PROJECT_ROOT / "seed")
    assert _counts(session) == after_first
    assert second.created == {}
    assert first.created["offers"] >= 60 and first.created["needs"] >= 25
    assert after_first["Indicator"] == 20


def test_contracts_from_events_link_to_their_signing_meetings(session: Session) -> None:
    seed_demo(session, PROJECT_ROOT / "seed")
    linked = session.exec(select(Contract).where(Contract.meeting_id != None)).all()
    outcomes = [session.get(Meeting, c.meeting_id).outcome for c in linked]  # type: ignore[union-attr]
    assert len(linked) >= 2 and set(outcomes) == {"签约"}


def test_the_past_event_outcomes_are_judgements_the_matcher_can_be_measured_on(session: Session) -> None:
    seed_demo(session, PROJECT_ROOT / "seed")
    outcomes = {m.outcome for m in session.exec(select(Meeting)) if m.outcome}
    judged = session.exec(select(Judgement).where(Judgement.source == "meeting")).all()
    with_outcome = [m for m in session.exec(select(Meeting)) if m.outcome]
    assert len(judged) == len(with_outcome) > 0
    assert {j.label for j in judged} == outcomes and all(j.user_id is not None for j in judged)
    assert {j.grade for j in judged if j.label == "签约"} == {2}


def test_the_demo_pledge_register_passes_the_register_checks_and_counts_in_the_indicator(
    session: Session,
) -> None:
    from datetime import date
    from decimal import Decimal

    from matchmaker.services import indicators
    from matchmaker.storage.models import Pledge

    report = seed_demo(session, PROJECT_ROOT / "seed")
    stored = session.exec(select(Pledge)).all()
    assert report.created["pledges"] == len(stored) == 28
    assert {p.status for p in stored} == {"登记", "注销"}
    assert all(p.pledgor_company_id is not None for p in stored)
    plan = next(p for p in indicators.plans(session, date(2026, 1, 1)) if p.plan.code == "14th")
    row = next(r for r in plan.rows if r.indicator.code == "ip_pledge_financing")
    assert row.attainment.actual == Decimal(sum(p.amount_fen for p in stored)) / 10**10


def test_the_demo_has_open_licences_a_registered_licence_and_a_bulletin_equal_to_the_dashboard(
    session: Session,
) -> None:
    from matchmaker.domain.periods import parse_period
    from matchmaker.services import stats
    from matchmaker.storage.models import Bulletin, Licence, OpenLicence

    report = seed_demo(session, PROJECT_ROOT / "seed")
    assert (report.created["open_licences"], report.created["licences"], report.created["bulletins"]) == (
        4,
        1,
        1,
    )
    licence = session.exec(select(Licence)).one()
    contract = session.get(Contract, licence.contract_id)
    assert contract is not None and (contract.contract_type, contract.amount_fen) == ("技术许可", 30_000_000)
    assert len(session.exec(select(OpenLicence)).all()) == 4
    bulletin = session.exec(select(Bulletin)).one()
    period = parse_period("2026-Q3")
    board = stats.dashboard(session, stats.StatsFilters(2026, 2026, period=period), period.date_to)
    assert bulletin.figures["turnover"]["amount_fen"] == board.totals.amount_fen > 0
    assert bulletin.figures["attribution"]["licence_fen"] == 30_000_000


def test_the_demo_battery_event_carries_its_theme(session: Session) -> None:
    seed_demo(session, PROJECT_ROOT / "seed")
    event = session.exec(select(Event).where(Event.name == "溧阳高新区动力电池专场技术对接会")).one()
    assert (event.theme_fields, event.theme_keywords) == (["动力电池", "绿色储能"], [])
