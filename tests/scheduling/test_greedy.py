from datetime import date, time

from matchmaker.scheduling.greedy import fill_greedily, greedy_schedule
from matchmaker.scheduling.model import Meeting, Pair, Participant, Problem, Table
from matchmaker.scheduling.slots import make_slots

SLOTS = tuple(make_slots(date(2026, 5, 20), time(14), time(15), 20))
PEOPLE = (
    Participant(1, "张三", "researcher"),
    Participant(2, "李四", "researcher", cap=1),
    Participant(11, "某公司", "company", available=frozenset({1, 2})),
    Participant(12, "另一公司", "company"),
)


def _problem(*pairs: Pair, tables: int = 2) -> Problem:
    return Problem(
        slots=SLOTS,
        tables=tuple(Table(t, f"{t}号桌") for t in range(1, tables + 1)),
        participants=PEOPLE,
        pairs=pairs,
    )


def test_highest_weight_pair_takes_the_earliest_common_slot_and_first_table():
    problem = _problem(Pair(1, 1, 12, 0.3), Pair(2, 1, 11, 0.9), Pair(3, 2, 12, 0.5))
    # 张三 is busy at 14:20 and 另一公司 at 14:00, so their pair takes 14:40.
    assert greedy_schedule(problem) == (Meeting(2, 1, 1), Meeting(3, 0, 1), Meeting(1, 2, 1))


def test_greedy_respects_caps_and_refusals():
    problem = _problem(Pair(1, 2, 12, 0.9), Pair(2, 2, 11, 0.8), Pair(3, 1, 12, 0.7, refused=True))
    assert greedy_schedule(problem) == (Meeting(1, 0, 1),)


def test_greedy_uses_later_slots_when_tables_run_out():
    problem = _problem(Pair(1, 1, 12, 0.9), Pair(2, 2, 11, 0.8), tables=1)
    assert greedy_schedule(problem) == (Meeting(1, 0, 1), Meeting(2, 1, 1))


def test_fill_keeps_fixed_meetings_and_tries_preferred_ones_first():
    problem = _problem(Pair(1, 1, 12, 0.9), Pair(2, 1, 11, 0.8), Pair(3, 2, 12, 0.1))
    assert fill_greedily(problem, fixed=[(3, 0)], preferred=[(2, 2)]) == [(3, 0), (2, 2), (1, 1)]
