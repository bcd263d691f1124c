"""Idle slots: between a person's first and last meeting, available, without a meeting; delegations likewise."""

from datetime import date, time

from matchmaker.scheduling.compactness import idle_minutes, idle_slots_by_group, idle_slots_by_participant
from matchmaker.scheduling.model import Meeting, Pair, Participant, Problem, Table
from matchmaker.scheduling.slots import Break, make_slots

# 14:00 14:20 14:40 | tea 15:00–15:20 | 15:20 15:40
SLOTS = tuple(make_slots(date(2026, 5, 20), time(14), time(16), 20, [Break(time(15), time(15, 20))]))


def _problem(people: tuple[Participant, ...], pairs: tuple[Pair, ...]) -> Problem:
    return Problem(
        slots=SLOTS, tables=(Table(1, "1号桌"), Table(2, "2号桌")), participants=people, pairs=pairs
    )


def test_a_wait_between_meetings_is_idle_but_a_break_and_time_away_are_not():
    people = (
        Participant(1, "张三", "researcher", available=frozenset({0, 2, 3, 4})),
        Participant(2, "某公司", "company"),
        Participant(3, "另一公司", "company"),
    )
    problem = _problem(people, (Pair(1, 1, 2, 0.5), Pair(2, 1, 3, 0.5)))
    assert [s.label() for s in SLOTS] == ["14:00", "14:20", "14:40", "15:20", "15:40"]
    # 张三 meets at 14:00 and 15:40: away at 14:20 (a talk), the tea break is no slot, so 14:40 and 15:20 are idle.
    meetings = [Meeting(1, 0, 1), Meeting(2, 4, 1)]
    assert idle_slots_by_participant(problem, [(m.pair_id, m.slot) for m in meetings]) == {
        1: [2, 3],
        2: [],
        3: [],
    }
    assert idle_minutes(problem, meetings) == {1: 40, 2: 0, 3: 0}


def test_a_delegation_is_idle_only_when_no_member_meets():
    people = (
        Participant(1, "张三", "researcher"),
        Participant(2, "李四", "researcher"),
        Participant(3, "某公司甲", "company", group=7),
        Participant(4, "某公司乙", "company", group=7),
        Participant(5, "另一公司", "company", group=8),
    )
    problem = _problem(people, (Pair(1, 1, 3, 0.5), Pair(2, 2, 4, 0.5), Pair(3, 1, 5, 0.5)))
    # 甲 at 14:00 and 乙 at 14:40: the company waits through 14:20 (另一公司, alone, is no delegation).
    assert idle_slots_by_group(problem, [(1, 0), (2, 2), (3, 1)]) == {7: [1]}
    # 乙 at 15:40 instead: 14:20, 14:40 and 15:20 are idle for the company, though 甲 has no meeting after 14:00.
    assert idle_slots_by_group(problem, [(1, 0), (2, 4), (3, 1)]) == {7: [1, 2, 3]}
    assert idle_slots_by_participant(problem, [(1, 0), (2, 4), (3, 1)])[3] == []
