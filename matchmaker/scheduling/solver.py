"""Meeting assignment with OR-Tools CP-SAT.

Model: one boolean per (pair, slot) where both sides are available; tables are interchangeable, so instead
of a (pair, slot, table) variable the model only says "at most as many meetings per slot as tables", and
concrete tables are handed out afterwards (pinned tables first, then each pair's published table, then the
lowest free one). That keeps the large benchmark at ~20,000 booleans instead of ~800,000 and removes the
table symmetry entirely. A table pinned without a slot adds "at most one of the pairs pinned to this table
per slot", which is all a concrete assignment then needs.

Objective, lexicographic in two solves (docs/scheduling.md gives the reasons):
1. maximise the number of participants with at least one meeting;
2. keeping that number, maximise ``weights.objective_value`` (pair weights, a bonus per meeting up to the
   organizer's minimum, a penalty per published meeting moved or dropped, a penalty per idle slot of a
   participant and of a company delegation). "Optimal" means proven for all of it, compactness included.

Idle slots are counted with two monotone chains per person: ``before[s]`` (a meeting in some earlier slot) and
``after[s]`` (in some later slot); ``idle[s] >= before[s] + after[s] - 1 - busy[s]``. The chains only have lower
bounds, which is enough because the objective pushes every idle variable, and so the chains, down.
"""

from __future__ import annotations

import math
import time as clock
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise

from ortools.sat.python import cp_model

from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.scheduling.compactness import busy_slots, group_available, groups
from matchmaker.scheduling.greedy import fill_greedily
from matchmaker.scheduling.model import (
    REASON_TEXT,
    Meeting,
    Move,
    Pair,
    Pin,
    Problem,
    ReasonCode,
    Result,
    Status,
    Unplaced,
)
from matchmaker.scheduling.weights import (
    GROUP_IDLE_SLOT_PENALTY,
    IDLE_SLOT_PENALTY,
    MIN_MEETINGS_BONUS,
    MOVE_PENALTY,
    objective_value,
    pair_weight,
)

# With two workers CP-SAT runs one full search plus one thread that takes turns among its helper searches;
# on these models each random/graph neighbourhood search takes seconds of that thread for little gain,
# while the violation local search ("ls") and the LP-guided neighbourhoods (rins/rens) improve the schedule
# many times a second. Measured on bench/schedule.py: 0.2 % instead of 1.2 % from the bound after 30 s.
_SLOW_HELPERS = (
    "feasibility_pump",
    "graph_arc_lns",
    "graph_cst_lns",
    "graph_dec_lns",
    "graph_var_lns",
    "rnd_cst_lns",
    "rnd_var_lns",
)

# Share of the time limit the fairness phase may use; it usually proves optimality in well under a second,
# and whatever it leaves goes to the score phase.
_FAIRNESS_SHARE = 0.4
# Share of the time limit for polishing the score phase's starting schedule (moves and swaps that close waits,
# see ``_polish``); half as much again polishes a result CP-SAT did not prove optimal.
_POLISH_SHARE = 0.1


def _label(problem: Problem, pair: Pair) -> str:
    names = problem.participants_by_id
    return f"「{names[pair.a].name}—{names[pair.b].name}」"


def check_problem(problem: Problem) -> None:
    """Reject references that do not exist (unknown participant, slot, table or pair) before solving."""
    errors: list[FieldError] = []
    slot_indices = {s.index for s in problem.slots}
    table_ids = {t.id for t in problem.tables}
    for field, ids in (
        ("participants", [p.id for p in problem.participants]),
        ("pairs", [p.id for p in problem.pairs]),
        ("tables", [t.id for t in problem.tables]),
        ("pins", [p.pair_id for p in problem.pins]),
    ):
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            errors.append(FieldError(field, f"编号重复：{'、'.join(map(str, repeated))}。"))
    if problem.min_meetings_per_participant < 0:
        errors.append(FieldError("min_meetings_per_participant", "每人最少会谈数不能为负数。"))
    for person in problem.participants:
        if person.cap is not None and person.cap < 0:
            errors.append(FieldError("participants", f"{person.name} 的会谈上限不能为负数。"))
        if person.available is not None and not person.available <= slot_indices:
            errors.append(FieldError("participants", f"{person.name} 的可用时段中有不存在的时段。"))
    for pair in problem.pairs:
        if pair.a not in problem.participants_by_id or pair.b not in problem.participants_by_id:
            errors.append(FieldError("pairs", f"候选配对 {pair.id} 引用了不存在的参会人。"))
        elif pair.a == pair.b:
            errors.append(FieldError("pairs", f"候选配对 {pair.id} 的双方是同一个人。"))
    for pin in problem.pins:
        if pin.pair_id not in problem.pairs_by_id:
            errors.append(FieldError("pins", f"固定的会谈引用了不存在的候选配对 {pin.pair_id}。"))
        if pin.slot is not None and pin.slot not in slot_indices:
            errors.append(FieldError("pins", f"固定的会谈引用了不存在的时段 {pin.slot}。"))
        if pin.table is not None and pin.table not in table_ids:
            errors.append(FieldError("pins", f"固定的会谈引用了不存在的桌位 {pin.table}。"))
    if errors:
        raise ValidationFailed(errors)


def check_pins(problem: Problem) -> None:
    """Refuse pins that cannot all hold, each with a sentence naming the conflict.

    Checked: a pin on a 不见 pair, a pin outside either side's availability, two pins sharing a person or a
    table in the same slot, more pins in a slot than tables, more pins for a person than their cap. Pins
    without a slot that merely cannot be fitted together are left to the solver (status "infeasible").
    """
    check_problem(problem)
    errors: list[FieldError] = []
    names = problem.participants_by_id
    labels = {s.index: s.label() for s in problem.slots}
    tables = {t.id: t.name for t in problem.tables}
    pins = sorted(problem.pins, key=lambda p: p.pair_id)
    for pin in pins:
        pair = problem.pairs_by_id[pin.pair_id]
        if pair.refused:
            errors.append(FieldError("pins", f"固定的会谈{_label(problem, pair)}已被标记为不见，不能固定。"))
        elif pin.slot is not None:
            absent = [names[p].name for p in (pair.a, pair.b) if pin.slot not in problem.available_slots(p)]
            if absent:
                errors.append(
                    FieldError(
                        "pins",
                        f"固定的会谈{_label(problem, pair)}在 {labels[pin.slot]} 无法进行："
                        f"{'、'.join(absent)}该时段不可参加。",
                    )
                )
        elif not problem.common_slots(pair):
            errors.append(
                FieldError("pins", f"固定的会谈{_label(problem, pair)}无法安排：双方没有共同的可用时段。")
            )
    for position, first in enumerate(pins):
        if first.slot is None:
            continue
        one = problem.pairs_by_id[first.pair_id]
        for second in pins[position + 1 :]:
            if second.slot != first.slot:
                continue
            other = problem.pairs_by_id[second.pair_id]
            where = (
                f"固定的会谈{_label(problem, one)}与{_label(problem, other)}在 {labels[first.slot]} 冲突："
            )
            for person in (one.a, one.b):
                if person in (other.a, other.b):
                    errors.append(FieldError("pins", f"{where}{names[person].name}同一时段只能参加一场。"))
            if first.table is not None and first.table == second.table:
                errors.append(
                    FieldError("pins", f"{where}桌位「{tables[first.table]}」同一时段只能安排一场。")
                )
    per_slot: dict[int, int] = defaultdict(int)
    per_person: dict[int, int] = defaultdict(int)
    for pin in pins:
        pair = problem.pairs_by_id[pin.pair_id]
        per_person[pair.a] += 1
        per_person[pair.b] += 1
        if pin.slot is not None:
            per_slot[pin.slot] += 1
    for slot, count in sorted(per_slot.items()):
        if count > len(problem.tables):
            errors.append(
                FieldError(
                    "pins", f"{labels[slot]} 固定了 {count} 场会谈，超过桌位数 {len(problem.tables)}。"
                )
            )
    for person, count in sorted(per_person.items()):
        cap = names[person].cap
        if cap is not None and count > cap:
            errors.append(
                FieldError("pins", f"{names[person].name}固定了 {count} 场会谈，超过其上限 {cap} 场。")
            )
    if errors:
        raise ValidationFailed(errors)


@dataclass(frozen=True)
class _Chain:
    """The idle-slot variables of one person (``("person", id)``) or company delegation (``("group", id)``)."""

    key: tuple[str, int]
    busy: Mapping[int, cp_model.LinearExpr]
    before: dict[int, cp_model.IntVar]
    after: dict[int, cp_model.IntVar]
    idle: dict[int, cp_model.IntVar]


class _Model:
    """The CP-SAT model shared by both phases.

    ``x[pair, slot]`` places a pair in a slot; ``meets[pair]`` is their sum. Counts, caps and the objective
    are written over ``meets`` (2,000 terms instead of 20,000 in the large benchmark), which gives the LP
    and the neighbourhood searches a much smaller picture of what matters: which pairs meet. The slot
    variables only have to make that choice feasible.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.model = cp_model.CpModel()
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.meets: dict[int, cp_model.IntVar] = {}
        pins = {pin.pair_id: pin for pin in problem.pins}
        by_person_slot: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        by_person: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        by_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        by_table_slot: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        for pair in problem.pairs:
            pin = pins.get(pair.id, Pin(pair.id))
            slots = sorted(problem.common_slots(pair)) if pin.slot is None else [pin.slot]
            capped_out = any(problem.participants_by_id[p].cap == 0 for p in (pair.a, pair.b))
            if not slots or (capped_out and pair.id not in pins):
                continue
            meets = self.model.new_bool_var(f"meets_{pair.id}")
            self.meets[pair.id] = meets
            made = []
            for slot in slots:
                var = self.model.new_bool_var(f"x_{pair.id}_{slot}")
                self.x[pair.id, slot] = var
                made.append(var)
                by_person_slot[pair.a, slot].append(var)
                by_person_slot[pair.b, slot].append(var)
                by_slot[slot].append(var)
                if pin.table is not None:
                    by_table_slot[pin.table, slot].append(var)
            self.model.add(sum(made) == meets)
            if pair.id in pins:
                self.model.add(meets == 1)
            by_person[pair.a].append(meets)
            by_person[pair.b].append(meets)
        for group in (*by_person_slot.values(), *by_table_slot.values()):
            if len(group) > 1:
                self.model.add_at_most_one(group)
        for slot, group in by_slot.items():
            if len(group) > len(problem.tables):
                self.model.add(sum(group) <= len(problem.tables))
        if len(self.meets) > len(problem.tables) * len(problem.slots):
            self.model.add(sum(self.meets.values()) <= len(problem.tables) * len(problem.slots))
        self.count: dict[int, cp_model.LinearExprT] = {}
        for person, group in by_person.items():
            most = len(problem.available_slots(person))
            cap = problem.participants_by_id[person].cap
            if cap is not None:
                most = min(most, cap)
            if len(group) > most:
                self.model.add(sum(group) <= most)
            self.count[person] = sum(group)
        self.chains: list[_Chain] = []
        slot_vars: dict[int, dict[int, list[cp_model.IntVar]]] = defaultdict(dict)
        for (person, slot), group in by_person_slot.items():
            slot_vars[person][slot] = group
        for person, by_slot_of_person in slot_vars.items():
            cap = problem.participants_by_id[person].cap
            if cap is None or cap >= 2:
                own = {slot: cp_model.LinearExpr.sum(group) for slot, group in by_slot_of_person.items()}
                self._chain(("person", person), own, problem.available_slots(person))
        for group_id, members in groups(problem).items():
            together: dict[int, list[cp_model.IntVar]] = defaultdict(list)
            for member in members:
                for slot, group in slot_vars.get(member, {}).items():
                    together[slot].extend(group)
            busy: dict[int, cp_model.IntVar] = {}
            for slot, group in together.items():
                busy[slot] = self.model.new_bool_var(f"group_busy_{group_id}_{slot}")
                self.model.add(busy[slot] <= sum(group))
                for one in group:
                    self.model.add(busy[slot] >= one)
            self._chain(("group", group_id), busy, group_available(problem, members))
        self.covered = {p: self.model.new_bool_var(f"covered_{p}") for p in sorted(self.count)}
        for person, var in self.covered.items():
            self.model.add(var <= self.count[person])
        minimum = problem.min_meetings_per_participant
        self.reached: dict[int, cp_model.IntVar] = {}
        if minimum > 0:
            for person, count in self.count.items():
                self.reached[person] = self.model.new_int_var(0, minimum, f"reached_{person}")
                self.model.add(self.reached[person] <= count)

    def _chain(
        self, key: tuple[str, int], busy: Mapping[int, cp_model.LinearExpr], countable: frozenset[int]
    ) -> None:
        """Idle-slot variables for one person or group whose meeting in slot ``s`` is ``busy[s]`` (0 or 1)."""
        possible = sorted(busy)
        if len(possible) < 2:
            return
        order = [s.index for s in self.problem.slots if possible[0] <= s.index <= possible[-1]]
        if not any(s in countable for s in order[1:-1]):
            return
        name = f"{key[0]}_{key[1]}"
        before: dict[int, cp_model.IntVar] = {}
        after: dict[int, cp_model.IntVar] = {}
        for earlier, slot in pairwise(order):
            before[slot] = self.model.new_bool_var(f"before_{name}_{slot}")
            if earlier in before:
                self.model.add(before[slot] >= before[earlier])
            if earlier in busy:
                self.model.add(before[slot] >= busy[earlier])
        for later, slot in pairwise(order[::-1]):
            after[slot] = self.model.new_bool_var(f"after_{name}_{slot}")
            if later in after:
                self.model.add(after[slot] >= after[later])
            if later in busy:
                self.model.add(after[slot] >= busy[later])
        idle: dict[int, cp_model.IntVar] = {}
        for slot in order[1:-1]:
            if slot in countable:
                idle[slot] = self.model.new_bool_var(f"idle_{name}_{slot}")
                waiting = before[slot] + after[slot] - 1
                self.model.add(idle[slot] >= (waiting - busy[slot] if slot in busy else waiting))
        self.chains.append(_Chain(key, busy, before, after, idle))

    def hint(self, chosen: Iterable[tuple[int, int]]) -> None:
        """Hint a schedule, auxiliaries included: CP-SAT only starts from a hint it can check in full."""
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        wanted = set(chosen)
        met: dict[int, int] = defaultdict(int)
        for key, var in self.x.items():
            self.model.add_hint(var, key in wanted)
        meeting = {pair_id for pair_id, _ in wanted}
        for pair_id, var in self.meets.items():
            self.model.add_hint(var, pair_id in meeting)
            if pair_id in meeting:
                pair = self.problem.pairs_by_id[pair_id]
                met[pair.a] += 1
                met[pair.b] += 1
        for person, var in self.covered.items():
            self.model.add_hint(var, met[person] > 0)
        for person, var in self.reached.items():
            self.model.add_hint(var, min(met[person], self.problem.min_meetings_per_participant))
        busy = busy_slots(self.problem, wanted)
        members = groups(self.problem)
        for chain in self.chains:
            kind, owner = chain.key
            slots: set[int] = (
                busy.get(owner, set())
                if kind == "person"
                else set().union(*(busy.get(m, set()) for m in members[owner]))
            )
            if kind == "group":
                for slot, expr in chain.busy.items():
                    if isinstance(expr, cp_model.IntVar):
                        self.model.add_hint(expr, slot in slots)
            first, last = (min(slots), max(slots)) if slots else (None, None)
            for slot, flag in chain.before.items():
                self.model.add_hint(flag, first is not None and first < slot)
            for slot, flag in chain.after.items():
                self.model.add_hint(flag, last is not None and last > slot)
            for slot, flag in chain.idle.items():
                inside = first is not None and last is not None and first < slot < last
                self.model.add_hint(flag, inside and slot not in slots)

    def score_objective(self) -> cp_model.LinearExprT:
        """``weights.objective_value`` written over the model's variables."""
        problem = self.problem
        terms: list[cp_model.LinearExprT] = [
            pair_weight(problem.pairs_by_id[pair_id]) * var for pair_id, var in self.meets.items()
        ]
        terms.extend(MIN_MEETINGS_BONUS * reached for reached in self.reached.values())
        for old in problem.previous:
            kept = self.x.get((old.pair_id, old.slot))
            terms.append(MOVE_PENALTY * kept - MOVE_PENALTY if kept is not None else -MOVE_PENALTY)
        for chain in self.chains:
            penalty = IDLE_SLOT_PENALTY if chain.key[0] == "person" else GROUP_IDLE_SLOT_PENALTY
            terms.extend(-penalty * var for var in chain.idle.values())
        return sum(terms)


def _solver(time_limit_s: float, workers: int, seed: int, relative_gap: float = 0.0) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit_s, 0.05)
    solver.parameters.relative_gap_limit = relative_gap
    solver.parameters.ignore_subsolvers.extend(_SLOW_HELPERS)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    return solver


def _assign_tables(problem: Problem, chosen: list[tuple[int, int]]) -> list[Meeting]:
    """Give each chosen (pair, slot) a concrete table, deterministically.

    Per slot: pinned tables first, then pairs that keep their published slot and table, then pairs returning
    to their published table in a new slot, then everyone else on the first free table in ``problem.tables``
    order. The model already guarantees enough tables and distinct pinned tables per slot.
    """
    pinned_table = {pin.pair_id: pin.table for pin in problem.pins if pin.table is not None}
    published = {m.pair_id: m for m in problem.previous}
    by_slot: dict[int, list[int]] = defaultdict(list)
    for pair_id, slot in chosen:
        by_slot[slot].append(pair_id)
    meetings: list[Meeting] = []
    for slot, pair_ids in sorted(by_slot.items()):
        table_of = {p: pinned_table[p] for p in pair_ids if p in pinned_table}
        returning = sorted(
            (p for p in pair_ids if p not in table_of and p in published),
            key=lambda p: (published[p].slot != slot, p),
        )
        for pair_id in returning:
            if published[pair_id].table not in table_of.values():
                table_of[pair_id] = published[pair_id].table
        free = iter([t.id for t in problem.tables if t.id not in table_of.values()])
        for pair_id in sorted(p for p in pair_ids if p not in table_of):
            table_of[pair_id] = next(free)
        meetings.extend(Meeting(pair_id, slot, table_of[pair_id]) for pair_id in sorted(pair_ids))
    return meetings


def _why_unplaced(problem: Problem, meetings: list[Meeting]) -> list[Unplaced]:
    """The first reason that applies to each candidate pair left out.

    不见; no common available slot; one side at its cap; every slot where both are free has every table
    taken; otherwise the slots they share went to meetings worth more (其他更优).
    """
    placed = {m.pair_id for m in meetings}
    busy = {(person, m.slot) for m in meetings for person in _people(problem, m.pair_id)}
    count: dict[int, int] = defaultdict(int)
    tables_used: dict[int, int] = defaultdict(int)
    for m in meetings:
        tables_used[m.slot] += 1
        for person in _people(problem, m.pair_id):
            count[person] += 1
    out: list[Unplaced] = []
    for pair in sorted(problem.pairs, key=lambda p: p.id):
        if pair.id in placed:
            continue
        code: ReasonCode
        free_slots = [
            s for s in problem.common_slots(pair) if (pair.a, s) not in busy and (pair.b, s) not in busy
        ]
        if pair.refused:
            code = "refused"
        elif not problem.common_slots(pair):
            code = "availability"
        elif any(
            (cap := problem.participants_by_id[p].cap) is not None and count[p] >= cap
            for p in (pair.a, pair.b)
        ):
            code = "cap"
        elif free_slots and all(tables_used[s] >= len(problem.tables) for s in free_slots):
            code = "no_table"
        else:
            code = "not_worth"
        out.append(Unplaced(pair.id, code, REASON_TEXT[code]))
    return out


def _people(problem: Problem, pair_id: int) -> tuple[int, int]:
    pair = problem.pairs_by_id[pair_id]
    return pair.a, pair.b


def _moves(problem: Problem, meetings: list[Meeting]) -> list[Move]:
    if not problem.previous:
        return []
    new_by_pair = {m.pair_id: m for m in meetings}
    old_by_pair = {m.pair_id: m for m in problem.previous}
    moves = [
        Move(pair_id, old_by_pair.get(pair_id), new_by_pair.get(pair_id))
        for pair_id in sorted(new_by_pair.keys() | old_by_pair.keys())
        if old_by_pair.get(pair_id) != new_by_pair.get(pair_id)
    ]
    return moves


def _fair_fill(
    problem: Problem, fair: list[tuple[int, int]], published: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """A good starting solution for the score phase that keeps the fairness phase's coverage.

    The fairness solution covers the most participants but ignores scores. Start from its pinned meetings,
    fill greedily (published meetings first, then by weight), and for anyone the fill leaves uncovered who
    was covered before, add their fairness meeting to the fixed set and fill again. Fixed meetings all come
    from one feasible solution, so they stay consistent, and the loop ends when nobody is lost.
    """
    pinned = {pin.pair_id for pin in problem.pins}
    fixed = [key for key in fair if key[0] in pinned]
    meeting_of: dict[int, tuple[int, int]] = {}
    for key in fair:
        for person in _people(problem, key[0]):
            meeting_of.setdefault(person, key)
    while True:
        chosen = fill_greedily(problem, fixed, published, compact=True)
        covered = {person for pair_id, _ in chosen for person in _people(problem, pair_id)}
        lost = sorted(meeting_of.keys() - covered)
        if not lost:
            return chosen
        fixed.extend(dict.fromkeys(meeting_of[person] for person in lost if meeting_of[person] not in fixed))


def _polish(
    problem: Problem, chosen: list[tuple[int, int]], deadline: float, rounds: int = 4
) -> list[tuple[int, int]]:
    """Move a meeting to another slot, or swap the slots of two meetings, while that raises
    ``objective_value``. The same pairs meet, so only idle time and published positions change; CP-SAT stopped by
    its time limit often leaves waits a few swaps close, and this finds them in well under a second. A move to an
    earlier free slot that costs nothing is made too, so among equal schedules the one that starts as the event
    opens is returned (CP-SAT is indifferent between them).

    Changes are scored locally (the idle slots of the people and delegations involved, the published slots of
    the pairs moved), which equals the change of ``objective_value``. Stops at ``deadline`` (``perf_counter``).
    """
    pinned = {pin.pair_id for pin in problem.pins if pin.slot is not None}
    published = {m.pair_id: m.slot for m in problem.previous}
    members = groups(problem)
    group_of = {m: g for g, ms in members.items() for m in ms}
    available = {p.id: problem.available_slots(p.id) for p in problem.participants}
    group_free = {g: group_available(problem, ms) for g, ms in members.items()}
    common = {pair.id: problem.common_slots(pair) for pair in problem.pairs}
    slot_of = dict(chosen)
    at: dict[int, dict[int, int]] = defaultdict(dict)  # slot -> person -> pair
    per_slot: dict[int, int] = defaultdict(int)
    for pair_id, slot in slot_of.items():
        per_slot[slot] += 1
        for person in _people(problem, pair_id):
            at[slot][person] = pair_id
    mine: dict[int, set[int]] = defaultdict(set)
    for pair_id, slot in slot_of.items():
        for person in _people(problem, pair_id):
            mine[person].add(slot)

    def idle(slots: set[int], free: frozenset[int]) -> int:
        if len(slots) < 2:
            return 0
        first, last = min(slots), max(slots)
        return sum(1 for s in free if first < s < last and s not in slots)

    def cost(pair_ids: list[int]) -> int:
        people = {person for pair_id in pair_ids for person in _people(problem, pair_id)}
        total = IDLE_SLOT_PENALTY * sum(idle(mine[p], available[p]) for p in people)
        for g in {group_of[p] for p in people if p in group_of}:
            together = set().union(*(mine[m] for m in members[g]))
            total += GROUP_IDLE_SLOT_PENALTY * idle(together, group_free[g])
        total += MOVE_PENALTY * sum(
            1 for pair_id in pair_ids if pair_id in published and slot_of[pair_id] != published[pair_id]
        )
        return total

    def lift(pair_id: int) -> None:
        slot = slot_of.pop(pair_id)
        per_slot[slot] -= 1
        for person in _people(problem, pair_id):
            del at[slot][person]
            mine[person].discard(slot)

    def drop(pair_id: int, slot: int) -> None:
        slot_of[pair_id] = slot
        per_slot[slot] += 1
        for person in _people(problem, pair_id):
            at[slot][person] = pair_id
            mine[person].add(slot)

    def attempt(moves: list[tuple[int, int]], earlier: bool = False) -> bool:
        """Apply ``moves`` (pair, new slot) if they lower the local cost (or, with ``earlier``, keep it equal);
        otherwise leave everything as it was."""
        pair_ids = [pair_id for pair_id, _ in moves]
        before = cost(pair_ids)
        undo = [(pair_id, slot_of[pair_id]) for pair_id in pair_ids]
        for pair_id in pair_ids:
            lift(pair_id)
        for pair_id, slot in moves:
            drop(pair_id, slot)
        after = cost(pair_ids)
        if after < before or (earlier and after == before):
            return after < before
        for pair_id in pair_ids:
            lift(pair_id)
        for pair_id, slot in undo:
            drop(pair_id, slot)
        return False

    for _ in range(rounds):
        improved = False
        for pair_id in sorted(slot_of):
            if clock.perf_counter() > deadline:
                return list(slot_of.items())
            if pair_id in pinned:
                continue
            a, b = _people(problem, pair_id)
            for slot in sorted(common[pair_id]):
                old = slot_of[pair_id]
                if slot == old:
                    continue
                blocking = {at[slot][p] for p in (a, b) if p in at[slot]}
                if not blocking:
                    if per_slot[slot] < len(problem.tables):
                        # an equal schedule that starts earlier is kept too: people come as the event opens
                        improved |= attempt([(pair_id, slot)], earlier=slot < old)
                        continue
                    # the slot is full: swap with a meeting there whose people are free in ours
                    candidates = sorted(set(at[slot].values()))
                elif len(blocking) == 1:
                    candidates = list(blocking)
                else:
                    continue
                for other in candidates:
                    c, d = _people(problem, other)
                    if (
                        other in pinned
                        or old not in common[other]
                        or any(p in at[old] and at[old][p] != pair_id for p in (c, d))
                    ):
                        continue
                    if attempt([(pair_id, slot), (other, old)]):
                        improved = True
                        break
        if not improved:
            break
    return list(slot_of.items())


def _upper_bound(problem: Problem) -> int:
    """A bound no schedule can beat, for when CP-SAT ran out of time before reporting its own: every pair
    that could meet meets, everyone reaches the minimum, nothing moves and nobody waits."""
    reachable = problem.participants_who_could_meet()
    return sum(pair_weight(p) for p in problem.pairs if problem.common_slots(p)) + MIN_MEETINGS_BONUS * (
        problem.min_meetings_per_participant * len(reachable)
    )


def solve(
    problem: Problem,
    *,
    time_limit_s: float = 10.0,
    workers: int = 2,
    relative_gap: float = 0.0,
    seed: int = 0,
) -> Result:
    """Schedule ``problem``: every hard rule and pin kept, fairness first, then score, then stability.

    Raises ``ValidationFailed`` for bad references and conflicting pins (see ``check_pins``). The two phases
    share ``time_limit_s``; ``workers`` is CP-SAT's thread count (2 on the event server); the score phase
    stops early once within ``relative_gap`` of its bound (0.0 = run until proven or out of time).
    """
    started = clock.perf_counter()
    check_pins(problem)
    built = _Model(problem)
    pinned_slots = [(pin.pair_id, pin.slot) for pin in problem.pins if pin.slot is not None]
    published = [(m.pair_id, m.slot) for m in problem.previous]
    initial = fill_greedily(problem, pinned_slots, published, compact=True)
    built.hint(initial)

    built.model.maximize(sum(built.covered.values()))
    fairness = _solver(time_limit_s * _FAIRNESS_SHARE, workers, seed)
    fairness_status = fairness.solve(built.model)
    if fairness_status == cp_model.INFEASIBLE:
        return _empty(problem, "infeasible", started)
    # Without a fairness solution in time (a loaded machine can spend it all in presolve), the greedy fill is the
    # schedule to fall back on, provided it holds every pin (greedy places only pins that name a slot).
    pinned = {pin.pair_id for pin in problem.pins}
    start: list[tuple[int, int]] | None = initial if pinned <= {p for p, _ in initial} else None
    if fairness_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        built.model.add(sum(built.covered.values()) >= round(fairness.objective_value))
        fair = [key for key, var in built.x.items() if fairness.boolean_value(var)]
        start = _polish(problem, _fair_fill(problem, fair, published), started + _POLISH_SHARE * time_limit_s)
        built.hint(start)

    built.model.maximize(built.score_objective())
    remaining = time_limit_s - (clock.perf_counter() - started)
    scoring = _solver(remaining, workers, seed, relative_gap)
    scoring_status = scoring.solve(built.model)
    if scoring_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = [key for key, var in built.x.items() if scoring.boolean_value(var)]
    elif scoring_status != cp_model.INFEASIBLE and start is not None:
        # Out of time before the score phase reported anything (a loaded machine spends it in presolve): the
        # starting schedule keeps every rule and pin (and phase 1's coverage when phase 1 finished).
        chosen = start
    else:
        return _empty(problem, "infeasible" if scoring_status == cp_model.INFEASIBLE else "unknown", started)

    chosen = _polish(problem, chosen, clock.perf_counter() + max(0.2, _POLISH_SHARE / 2 * time_limit_s))
    meetings = _assign_tables(problem, chosen)
    # The idle variables only have lower bounds, so a solution stopped early may count a slot as idle that is
    # not; the schedule's own value is at least the solver's and never above the bound.
    objective = objective_value(problem, meetings)
    reported = scoring.best_objective_bound
    found = scoring_status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and math.isfinite(reported)
    bound = max(objective, round(reported)) if found else max(objective, _upper_bound(problem))
    # CP-SAT also says OPTIMAL when it stops at the gap limit, so "proven" compares objective and bound.
    proven = fairness_status == cp_model.OPTIMAL and scoring_status == cp_model.OPTIMAL and objective == bound
    status: Status = "optimal" if proven else "feasible"
    return Result(
        meetings=tuple(meetings),
        unplaced=tuple(_why_unplaced(problem, meetings)),
        status=status,
        objective=objective,
        bound=bound,
        moved=tuple(_moves(problem, meetings)),
        wall_time_s=clock.perf_counter() - started,
    )


def _empty(problem: Problem, status: Status, started: float) -> Result:
    return Result(
        meetings=(),
        unplaced=(),
        status=status,
        objective=0,
        bound=0,
        moved=tuple(_moves(problem, [])),
        wall_time_s=clock.perf_counter() - started,
    )
