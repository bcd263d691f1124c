"""The baseline a simple tool would use: highest-weight pair first, first free slot and table.

It respects the same hard rules as the solver (no double booking, availability, caps, 不见, tables per slot)
but ignores pins and fairness; ``bench/schedule.py`` measures the solver against it. ``fill_greedily`` is the
same rule starting from given meetings, which the solver uses to build its starting solutions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from matchmaker.scheduling.model import Meeting, Problem
from matchmaker.scheduling.weights import pair_weight


def fill_greedily(
    problem: Problem,
    fixed: Iterable[tuple[int, int]] = (),
    preferred: Iterable[tuple[int, int]] = (),
    *,
    compact: bool = False,
) -> list[tuple[int, int]]:
    """(pair id, slot) choices: all of ``fixed`` (trusted to be consistent), then each of ``preferred`` that
    still fits, then the remaining pairs by falling weight (ties by id) in their earliest slot that fits —
    or, with ``compact``, in the fitting slot that adds the fewest idle slots to the two people's days (the
    solver's starting solutions; the baseline stays "earliest")."""
    slots_of: dict[int, set[int]] = {}
    busy: set[tuple[int, int]] = set()
    per_slot: Counter[int] = Counter()
    meeting_count: Counter[int] = Counter()
    chosen: list[tuple[int, int]] = []
    placed: set[int] = set()

    def take(pair_id: int, slot: int) -> None:
        pair = problem.pairs_by_id[pair_id]
        chosen.append((pair_id, slot))
        placed.add(pair_id)
        busy.update(((pair.a, slot), (pair.b, slot)))
        slots_of.setdefault(pair.a, set()).add(slot)
        slots_of.setdefault(pair.b, set()).add(slot)
        per_slot[slot] += 1
        meeting_count.update((pair.a, pair.b))

    def fits(pair_id: int, slot: int) -> bool:
        pair = problem.pairs_by_id[pair_id]
        return (
            pair_id not in placed
            and slot in problem.common_slots(pair)
            and per_slot[slot] < len(problem.tables)
            and all(
                (person, slot) not in busy
                and ((cap := problem.participants_by_id[person].cap) is None or meeting_count[person] < cap)
                for person in (pair.a, pair.b)
            )
        )

    for pair_id, slot in fixed:
        take(pair_id, slot)
    for pair_id, slot in preferred:
        if pair_id in problem.pairs_by_id and fits(pair_id, slot):
            take(pair_id, slot)

    def added_idle(person: int, slot: int) -> int:
        """How many idle slots a meeting in ``slot`` adds to ``person``'s day (negative: it fills one)."""
        mine = slots_of.get(person)
        if not mine:
            return 0
        first, last = min(mine), max(mine)
        if first <= slot <= last:
            return -1 if slot in problem.available_slots(person) else 0
        low, high = (slot, first) if slot < first else (last, slot)
        return sum(1 for s in problem.available_slots(person) if low < s < high)

    for pair in sorted(problem.pairs, key=lambda p: (-pair_weight(p), p.id)):
        fitting = [s for s in sorted(problem.common_slots(pair)) if fits(pair.id, s)]
        if not fitting:
            continue
        if compact:
            take(pair.id, min(fitting, key=lambda s: (added_idle(pair.a, s) + added_idle(pair.b, s), s)))
        else:
            take(pair.id, fitting[0])
    return chosen


def greedy_schedule(problem: Problem) -> tuple[Meeting, ...]:
    """The baseline schedule; tables are handed out in ``problem.tables`` order as meetings are placed."""
    tables_used: Counter[int] = Counter()
    meetings: list[Meeting] = []
    for pair_id, slot in fill_greedily(problem):
        meetings.append(Meeting(pair_id=pair_id, slot=slot, table=problem.tables[tables_used[slot]].id))
        tables_used[slot] += 1
    return tuple(meetings)
