"""The baseline a simple tool would use: highest-weight pair first, first free slot and table.

It respects the same hard rules as the solver (no double booking, availability, caps, 不见) but ignores
pins and fairness; ``bench/schedule.py`` measures the solver against it, and the solver uses it as a first
hint.
"""

from __future__ import annotations

from collections import Counter

from matchmaker.scheduling.model import Meeting, Problem
from matchmaker.scheduling.weights import pair_weight


def greedy_schedule(problem: Problem) -> tuple[Meeting, ...]:
    """Place pairs in order of falling weight (ties by pair id) into their earliest possible slot and the
    first free table in ``problem.tables`` order."""
    busy: set[tuple[int, int]] = set()
    tables_used: dict[int, set[int]] = {s.index: set() for s in problem.slots}
    meeting_count: Counter[int] = Counter()
    meetings: list[Meeting] = []
    for pair in sorted(problem.pairs, key=lambda p: (-pair_weight(p), p.id)):
        if any(
            (cap := problem.participants_by_id[person].cap) is not None and meeting_count[person] >= cap
            for person in (pair.a, pair.b)
        ):
            continue
        for slot in sorted(problem.common_slots(pair)):
            if (pair.a, slot) in busy or (pair.b, slot) in busy:
                continue
            table = next((t.id for t in problem.tables if t.id not in tables_used[slot]), None)
            if table is None:
                continue
            meetings.append(Meeting(pair_id=pair.id, slot=slot, table=table))
            busy.update(((pair.a, slot), (pair.b, slot)))
            tables_used[slot].add(table)
            meeting_count.update((pair.a, pair.b))
            break
    return tuple(meetings)
