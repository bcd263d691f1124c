"""The generated demo is the same on every run, adds up to the totals its file promises and uses valid codes."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal

from sqlmodel import Session, func, select

from matchmaker.domain.identifiers import parse_credit_code
from matchmaker.domain.vocab import REQUEST_STATES
from matchmaker.services import demo
from matchmaker.services.seeding import seed_demo
from matchmaker.settings import PROJECT_ROOT
from matchmaker.storage.models import (
    Company,
    Contract,
    Event,
    Indicator,
    IndicatorValue,
    Meeting,
    MeetingRequest,
)

SEED = PROJECT_ROOT / "seed"


def test_generated_companies_are_reproducible_distinct_and_carry_valid_codes() -> None:
    spec = demo.load_spec(SEED)
    first = demo.company_records(spec, random.Random(7), set())
    again = demo.company_records(spec, random.Random(7), set())
    codes = [c["credit_code"] for c in first]
    assert first == again and len(first) == spec["companies"]["count"]
    assert len(set(codes)) == len(codes) and len({c["name"] for c in first}) == len(first)
    assert [parse_credit_code(code) for code in codes] == codes


def test_each_year_of_the_register_adds_up_to_the_total_of_the_file_to_the_fen(session: Session) -> None:
    seed_demo(session, SEED)
    spec = demo.load_spec(SEED)
    generated = session.exec(select(Contract).where(col_like(Contract.registration_number))).all()
    totals: Counter[int] = Counter()
    counts: Counter[int] = Counter()
    for c in generated:
        totals[c.registered_on.year] += c.amount_fen
        counts[c.registered_on.year] += 1
        assert c.technology_amount_fen <= c.amount_fen and c.signed_on < c.registered_on
        assert c.registered_on.weekday() < 5
    expected = {
        int(y): int(Decimal(v["total_yi"]) * demo.FEN_PER_YI) for y, v in spec["contracts"]["years"].items()
    }
    assert dict(totals) == expected
    assert dict(counts) == {int(y): v["count"] for y, v in spec["contracts"]["years"].items()}
    assert len({c.field for c in generated}) >= 10 and len({c.town for c in generated}) == 15


def test_every_manual_indicator_has_a_value_for_each_year_of_the_plan(session: Session) -> None:
    seed_demo(session, SEED)
    spec = demo.load_spec(SEED)
    values = session.exec(select(func.count()).select_from(IndicatorValue)).one()
    manual = session.exec(
        select(func.count()).select_from(Indicator).where(Indicator.source == "manual")
    ).one()
    assert values == 5 * len(spec["indicator_values"]) == 5 * manual
    assert session.exec(select(func.count()).select_from(Company)).one() >= 250


def col_like(column: object) -> object:
    """Generated registration numbers carry serials from 010001 (the hand-written ones stay below)."""
    return column.like("____320481010%")  # type: ignore[attr-defined]


def test_past_events_have_outcomes_and_requests_exist_in_every_state(session: Session) -> None:
    seed_demo(session, SEED)
    events = session.exec(select(Event)).all()
    outcomes = {m.outcome for m in session.exec(select(Meeting)) if m.outcome}
    states = {r.state for r in session.exec(select(MeetingRequest))}
    years = sorted({e.event_date.year for e in events})
    assert (len(events) >= 3, outcomes, states) == (True, {"签约", "意向", "无果"}, set(REQUEST_STATES))
    assert years[0] < 2025 and years[-1] > 2025
