"""Random small events: every schedule the solver returns keeps every hard rule and every pin."""

from collections import Counter
from datetime import date, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.scheduling.greedy import greedy_schedule
from matchmaker.scheduling.model import Pair, Participant, Pin, Problem, Table
from matchmaker.scheduling.slots import make_slots
from matchmaker.scheduling.solver import solve

ALL_SLOTS = tuple(make_slots(date(2026, 5, 20), time(14), time(15, 40), 20))  # five slots


@st.composite
def events(draw: st.DrawFn) -> Problem:
    slot_count = draw(st.integers(1, 4))
    slots = ALL_SLOTS[:slot_count]
    researchers = draw(st.integers(1, 4))
    companies = draw(st.integers(1, 4))
    people = tuple(
        Participant(
            id=i,
            name=f"人{i}",
            kind="researcher" if i <= researchers else "company",
            available=draw(st.none() | st.frozensets(st.integers(0, slot_count - 1))),
            cap=draw(st.none() | st.integers(0, 3)),
        )
        for i in range(1, researchers + companies + 1)
    )
    combos = [(r, c) for r in range(1, researchers + 1) for c in range(researchers + 1, len(people) + 1)]
    chosen = draw(st.lists(st.sampled_from(combos), unique=True, max_size=10))
    pairs = tuple(
        Pair(
            id=n,
            a=r,
            b=c,
            score=draw(st.sampled_from([0.0, 0.2, 0.5, 0.8, 1.0])),
            must=draw(st.booleans()),
            accepted_request=draw(st.booleans()),
            refused=draw(st.sampled_from([False, False, False, True])),
        )
        for n, (r, c) in enumerate(chosen, 1)
    )
    tables = tuple(Table(t, f"{t}号桌") for t in range(1, draw(st.integers(1, 3)) + 1))
    bare = Problem(slots=slots, tables=tables, participants=people, pairs=pairs)
    # Pins taken from a valid schedule are consistent by construction; each keeps its slot, its table,
    # both or neither.
    witness = greedy_schedule(bare)
    pinned = draw(st.lists(st.sampled_from(witness), unique=True)) if witness else []
    pins = tuple(
        Pin(
            m.pair_id,
            slot=m.slot if draw(st.booleans()) else None,
            table=m.table if draw(st.booleans()) else None,
        )
        for m in pinned
    )
    previous = witness if draw(st.booleans()) else ()
    return Problem(
        slots=slots,
        tables=tables,
        participants=people,
        pairs=pairs,
        pins=pins,
        min_meetings_per_participant=draw(st.integers(0, 2)),
        previous=previous,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events())
def test_every_schedule_keeps_the_hard_rules_and_the_pins(problem: Problem):
    result = solve(problem, time_limit_s=1.0, workers=2)
    assert result.status in ("optimal", "feasible")
    pairs = problem.pairs_by_id
    people_at = [
        (person, m.slot) for m in result.meetings for person in (pairs[m.pair_id].a, pairs[m.pair_id].b)
    ]
    assert len(people_at) == len(set(people_at))
    tables_at = [(m.slot, m.table) for m in result.meetings]
    assert len(tables_at) == len(set(tables_at))
    assert {t for _, t in tables_at} <= {t.id for t in problem.tables}
    pair_ids = [m.pair_id for m in result.meetings]
    assert len(pair_ids) == len(set(pair_ids))
    for m in result.meetings:
        assert m.slot in problem.common_slots(pairs[m.pair_id])
        assert not pairs[m.pair_id].refused
    count = Counter(person for person, _ in people_at)
    for person in problem.participants:
        if person.cap is not None:
            assert count[person.id] <= person.cap
    placed = {m.pair_id: m for m in result.meetings}
    for pin in problem.pins:
        assert pin.pair_id in placed
        if pin.slot is not None:
            assert placed[pin.pair_id].slot == pin.slot
        if pin.table is not None:
            assert placed[pin.pair_id].table == pin.table
    assert {u.pair_id for u in result.unplaced} == pairs.keys() - placed.keys()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events())
def test_without_pins_the_solver_covers_at_least_as_many_people_as_greedy(problem: Problem):
    unpinned = Problem(
        slots=problem.slots, tables=problem.tables, participants=problem.participants, pairs=problem.pairs
    )
    result = solve(unpinned, time_limit_s=1.0, workers=2)

    def covered(meetings: tuple) -> int:
        return len(
            {
                p
                for m in meetings
                for p in (unpinned.pairs_by_id[m.pair_id].a, unpinned.pairs_by_id[m.pair_id].b)
            }
        )

    if result.status == "optimal":
        assert covered(result.meetings) >= covered(greedy_schedule(unpinned))
    else:
        assert result.status == "feasible"
