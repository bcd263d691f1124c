"""Docking-event scheduling: CP-SAT against the greedy baseline on two generated events.

Run: .venv/bin/python bench/schedule.py [--time-limit-small 5] [--time-limit-large 30] [--workers 2]

Instances are generated from a fixed seed with availability the way organizers see it: most people stay the
whole afternoon, some leave early or arrive late, some step out for a talk; a fifth of them cap their meetings;
one company in ten sends two representatives (a delegation the solver keeps together).
Objectives are in the integer units of matchmaker/scheduling/weights.py, the same formula for both schedules.
Idle minutes per participant (time between their first and last meeting without one, see
matchmaker/scheduling/compactness.py) are shown as mean over participants with two or more meetings, and max.
"""

from __future__ import annotations

import argparse
import os
import random
from collections import Counter
from datetime import date, time

from matchmaker.scheduling.compactness import idle_minutes, idle_slots_by_group
from matchmaker.scheduling.greedy import greedy_schedule
from matchmaker.scheduling.model import Meeting, Pair, Participant, Problem, Table
from matchmaker.scheduling.slots import make_slots
from matchmaker.scheduling.solver import solve
from matchmaker.scheduling.weights import objective_value, pair_weight


def _availability(rng: random.Random, slot_count: int) -> frozenset[int] | None:
    roll = rng.random()
    every = range(slot_count)
    two_thirds = (2 * slot_count + 2) // 3
    if roll < 0.65:
        return None
    if roll < 0.80:
        return frozenset(every[:two_thirds])
    if roll < 0.90:
        return frozenset(every[slot_count - two_thirds :])
    away = rng.randint(2, 3)
    start = rng.randrange(slot_count - away + 1)
    return frozenset(s for s in every if not start <= s < start + away)


def generate(
    seed: int, researchers: int, companies: int, pair_count: int, slot_count: int, table_count: int
) -> Problem:
    """A reproducible event: ids 1..researchers are researchers, the rest companies."""
    rng = random.Random(seed)
    slots = tuple(make_slots(date(2026, 5, 20), time(9), time(18), 20)[:slot_count])
    # Every tenth company representative belongs to the same company as the one before: a delegation of two.
    people = tuple(
        Participant(
            id=i,
            name=f"{'研究员' if i <= researchers else '企业'}{i}",
            kind="researcher" if i <= researchers else "company",
            available=_availability(rng, slot_count),
            cap=rng.randint(2, 4) if rng.random() < 0.2 else None,
            group=None if i <= researchers else i - 1 if (i - researchers) % 10 == 0 else i,
        )
        for i in range(1, researchers + companies + 1)
    )
    combos = rng.sample(
        [
            (r, c)
            for r in range(1, researchers + 1)
            for c in range(researchers + 1, researchers + companies + 1)
        ],
        pair_count,
    )
    pairs = tuple(
        Pair(
            id=n,
            a=r,
            b=c,
            score=round(rng.betavariate(2, 3), 3),
            accepted_request=rng.random() < 0.10,
            must=rng.random() < 0.03,
            refused=rng.random() < 0.03,
        )
        for n, (r, c) in enumerate(sorted(combos), start=1)
    )
    tables = tuple(Table(id=t, name=f"{t}号桌") for t in range(1, table_count + 1))
    return Problem(
        slots=slots, tables=tables, participants=people, pairs=pairs, min_meetings_per_participant=2
    )


def _left_with_none(problem: Problem, meetings: tuple[Meeting, ...]) -> int:
    met: Counter[int] = Counter()
    for m in meetings:
        pair = problem.pairs_by_id[m.pair_id]
        met.update((pair.a, pair.b))
    return sum(1 for p in problem.participants_who_could_meet() if met[p] == 0)


def _pair_weights(problem: Problem, meetings: tuple[Meeting, ...]) -> int:
    return sum(pair_weight(problem.pairs_by_id[m.pair_id]) for m in meetings)


def _idle(problem: Problem, meetings: tuple[Meeting, ...]) -> str:
    met: Counter[int] = Counter()
    for m in meetings:
        pair = problem.pairs_by_id[m.pair_id]
        met.update((pair.a, pair.b))
    minutes = idle_minutes(problem, meetings)
    several = [minutes[p] for p, n in met.items() if n >= 2]
    mean = sum(several) / len(several) if several else 0.0
    group_slots = sum(
        len(s) for s in idle_slots_by_group(problem, [(m.pair_id, m.slot) for m in meetings]).values()
    )
    return (
        f"idle min/participant mean {mean:5.1f} max {max(several, default=0):3d}"
        f"  idle>=60 min {sum(1 for v in several if v >= 60)}  delegation idle slots {group_slots}"
    )


def run(
    name: str, problem: Problem, time_limit_s: float, workers: int, relative_gaps: tuple[float, ...]
) -> None:
    greedy = greedy_schedule(problem)
    greedy_objective = objective_value(problem, greedy)
    print(f"== {name}")
    print(
        f"  greedy                : objective {greedy_objective}  pair weights {_pair_weights(problem, greedy)}"
        f"  meetings {len(greedy)}  left with none {_left_with_none(problem, greedy)}"
        f" of {len(problem.participants_who_could_meet())} who could meet"
    )
    print(f"                          {_idle(problem, greedy)}")
    for relative_gap in relative_gaps:
        result = solve(problem, time_limit_s=time_limit_s, workers=workers, relative_gap=relative_gap)
        assert objective_value(problem, result.meetings) == result.objective
        print(
            f"  CP-SAT (stop at {100 * relative_gap:.0f} % gap): {result.wall_time_s:5.2f} s  {result.status:8}"
            f"  objective {result.objective}  bound {result.bound}  gap {100 * result.gap:.2f} %"
            f"  pair weights {_pair_weights(problem, result.meetings)}  meetings {len(result.meetings)}"
            f"  left with none {_left_with_none(problem, result.meetings)}"
            f"  objective / greedy {result.objective / greedy_objective:.3f}"
        )
        print(f"                          {_idle(problem, result.meetings)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit-small", type=float, default=5.0)
    parser.add_argument("--time-limit-large", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"uptime: {os.popen('uptime').read().strip()}")
    run(
        "40 researchers x 60 companies, 300 pairs, 9 slots, 20 tables",
        generate(2026, 40, 60, 300, 9, 20),
        args.time_limit_small,
        args.workers,
        (0.0,),
    )
    run(
        "200 participants (80 x 120), 2,000 pairs, 12 slots, 40 tables",
        generate(2027, 80, 120, 2000, 12, 40),
        args.time_limit_large,
        args.workers,
        (0.01, 0.0),
    )


if __name__ == "__main__":
    main()
