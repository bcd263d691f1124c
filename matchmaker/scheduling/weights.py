"""Integer weights of the schedule's objective.

CP-SAT optimises integers, so the matcher's 0..1 score is scaled to 0..1000 (three decimals survive, finer
differences do not matter to anyone). The bonuses are in the same unit; docs/scheduling.md explains the
choice of each value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Final

from matchmaker.scheduling.compactness import idle_slots_by_group, idle_slots_by_participant
from matchmaker.scheduling.model import Meeting, Pair, Problem

SCORE_SCALE: Final = 1000
#: Every candidate pair is worth a meeting when there is room: the organizer put it on the list, so even a pair
#: the matcher scores 0 (picked by hand) must not be left out of free slots.
MEETING_BASE: Final = 100
ACCEPTED_REQUEST_BONUS: Final = 500
MUST_BONUS: Final = 2000
MIN_MEETINGS_BONUS: Final = 1000
MOVE_PENALTY: Final = 2000
#: Per idle slot of a participant (a slot between their first and last meeting without one, see
#: ``compactness.py``): less than any meeting is worth, so nobody loses a meeting to avoid a wait, but enough that
#: among schedules of equal value the packed one wins, and a low-score meeting far from someone's others is
#: placed next to them instead.
IDLE_SLOT_PENALTY: Final = 60
#: Per idle slot of a company delegation with several representatives (no member meets between the group's
#: first and last meeting).
GROUP_IDLE_SLOT_PENALTY: Final = 60


def pair_weight(pair: Pair) -> int:
    """Value of scheduling ``pair``: a base value, its scaled score, and the bonuses for an accepted request and
    必须见."""
    weight = MEETING_BASE + round(min(max(pair.score, 0.0), 1.0) * SCORE_SCALE)
    if pair.accepted_request:
        weight += ACCEPTED_REQUEST_BONUS
    if pair.must:
        weight += MUST_BONUS
    return weight


def objective_value(problem: Problem, meetings: Iterable[Meeting]) -> int:
    """The solver's score-phase objective for any schedule, so a greedy one can be compared on equal terms.

    Pair weights, plus ``MIN_MEETINGS_BONUS`` for each meeting a participant has up to the organizer's
    minimum, minus ``MOVE_PENALTY`` for each published meeting not kept in its slot, minus the idle-slot
    penalties of participants and of company delegations.
    """
    pairs_by_id = {p.id: p for p in problem.pairs}
    placed = list(meetings)
    total = sum(pair_weight(pairs_by_id[m.pair_id]) for m in placed)
    meetings_per_participant: Counter[int] = Counter()
    for m in placed:
        pair = pairs_by_id[m.pair_id]
        meetings_per_participant[pair.a] += 1
        meetings_per_participant[pair.b] += 1
    total += MIN_MEETINGS_BONUS * sum(
        min(count, problem.min_meetings_per_participant) for count in meetings_per_participant.values()
    )
    slot_by_pair = {m.pair_id: m.slot for m in placed}
    total -= MOVE_PENALTY * sum(1 for old in problem.previous if slot_by_pair.get(old.pair_id) != old.slot)
    chosen = [(m.pair_id, m.slot) for m in placed]
    total -= IDLE_SLOT_PENALTY * sum(len(s) for s in idle_slots_by_participant(problem, chosen).values())
    total -= GROUP_IDLE_SLOT_PENALTY * sum(len(s) for s in idle_slots_by_group(problem, chosen).values())
    return total
