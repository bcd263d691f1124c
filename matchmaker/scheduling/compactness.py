"""Idle time inside a participant's day, and inside a company delegation's day.

Organizers expect each person's meetings packed together: someone who meets at 14:00 and 14:20 and then waits
until 16:20 has wasted most of the afternoon. A slot is *idle* for a participant when it lies strictly between
their first and last meeting, they are available then, and they have no meeting in it. Slots they said they
cannot attend (a talk elsewhere) and breaks (not slots at all) are not idle.

Representatives of one company share ``Participant.group``; the delegation comes and goes together, so a slot
is idle for the group when it lies between the group's first and last meeting, some member is available, and no
member meets. The solver (``solver.py``) and ``weights.objective_value`` count exactly these slots.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from matchmaker.scheduling.model import Meeting, Problem


def busy_slots(problem: Problem, chosen: Iterable[tuple[int, int]]) -> dict[int, set[int]]:
    """Participant id → slot indices with a meeting, from (pair id, slot) choices."""
    busy: dict[int, set[int]] = defaultdict(set)
    for pair_id, slot in chosen:
        pair = problem.pairs_by_id[pair_id]
        busy[pair.a].add(slot)
        busy[pair.b].add(slot)
    return busy


def _idle(busy: set[int], available: Iterable[int]) -> list[int]:
    if len(busy) < 2:
        return []
    first, last = min(busy), max(busy)
    return sorted(s for s in available if first < s < last and s not in busy)


def idle_slots_by_participant(problem: Problem, chosen: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    """Participant id → their idle slot indices (every participant, empty lists included)."""
    busy = busy_slots(problem, chosen)
    return {p.id: _idle(busy.get(p.id, set()), problem.available_slots(p.id)) for p in problem.participants}


def groups(problem: Problem) -> dict[int, list[int]]:
    """Group id → member participant ids, for groups of two or more (a lone representative is their own day)."""
    members: dict[int, list[int]] = defaultdict(list)
    for person in problem.participants:
        if person.group is not None:
            members[person.group].append(person.id)
    return {g: ids for g, ids in members.items() if len(ids) > 1}


def group_available(problem: Problem, members: list[int]) -> frozenset[int]:
    return frozenset().union(*(problem.available_slots(m) for m in members))


def idle_slots_by_group(problem: Problem, chosen: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    """Group id → slots between the group's first and last meeting in which no member meets."""
    busy = busy_slots(problem, chosen)
    out: dict[int, list[int]] = {}
    for group, members in groups(problem).items():
        together = set().union(*(busy.get(m, set()) for m in members))
        out[group] = _idle(together, group_available(problem, members))
    return out


def idle_minutes(problem: Problem, meetings: Iterable[Meeting]) -> dict[int, int]:
    """Participant id → idle minutes (the lengths of their idle slots), for pages and the benchmark."""
    minutes = {s.index: int((s.end - s.start).total_seconds() // 60) for s in problem.slots}
    idle = idle_slots_by_participant(problem, [(m.pair_id, m.slot) for m in meetings])
    return {person: sum(minutes[s] for s in slots) for person, slots in idle.items()}
