from datetime import date, time

from matchmaker.scheduling.model import Pair, Participant, Problem, Result, Table
from matchmaker.scheduling.slots import make_slots

SLOTS = tuple(make_slots(date(2026, 5, 20), time(14), time(15), 20))


def _problem(*people: Participant, pairs: tuple[Pair, ...]) -> Problem:
    return Problem(slots=SLOTS, tables=(Table(1, "1号桌"),), participants=people, pairs=pairs)


def test_participant_without_availability_list_can_attend_every_slot():
    problem = _problem(Participant(1, "张三", "researcher"), pairs=())
    assert problem.available_slots(1) == frozenset({0, 1, 2})


def test_common_slots_are_those_both_sides_can_attend():
    problem = _problem(
        Participant(1, "张三", "researcher", available=frozenset({0, 1})),
        Participant(2, "某公司", "company", available=frozenset({1, 2})),
        pairs=(Pair(1, 1, 2, 0.5),),
    )
    assert problem.common_slots(problem.pairs[0]) == frozenset({1})


def test_refused_pair_has_no_common_slot():
    problem = _problem(
        Participant(1, "张三", "researcher"),
        Participant(2, "某公司", "company"),
        pairs=(Pair(1, 1, 2, 0.5, refused=True),),
    )
    assert problem.common_slots(problem.pairs[0]) == frozenset()


def test_only_participants_with_a_schedulable_pair_could_meet():
    problem = _problem(
        Participant(1, "张三", "researcher"),
        Participant(2, "某公司", "company"),
        Participant(3, "李四", "researcher", cap=0),
        Participant(4, "另一公司", "company", available=frozenset({0})),
        Participant(5, "王五", "researcher", available=frozenset({2})),
        pairs=(Pair(1, 1, 2, 0.5), Pair(2, 3, 2, 0.9), Pair(3, 5, 4, 0.9)),
    )
    assert problem.participants_who_could_meet() == frozenset({1, 2})


def test_gap_is_the_share_of_the_bound_not_reached():
    result = Result((), (), "feasible", objective=990, bound=1000, moved=(), wall_time_s=0.0)
    assert result.gap == 0.01
