from dataclasses import replace
from datetime import date, time

import pytest

from matchmaker.domain.errors import ValidationFailed
from matchmaker.scheduling.compactness import idle_slots_by_group, idle_slots_by_participant
from matchmaker.scheduling.greedy import greedy_schedule
from matchmaker.scheduling.model import Meeting, Move, Pair, Participant, Pin, Problem, Table, Unplaced
from matchmaker.scheduling.slots import make_slots
from matchmaker.scheduling.solver import check_pins, solve
from matchmaker.scheduling.weights import objective_value

# 14:00, 14:20, 14:40
SLOTS = tuple(make_slots(date(2026, 5, 20), time(14), time(15), 20))
TABLES = (Table(1, "1号桌"), Table(2, "2号桌"), Table(3, "3号桌"))
ZHANG, LI, WANG, ACME, BETA, GAMMA = 1, 2, 3, 11, 12, 13


def _people(**changes: dict[str, object]) -> tuple[Participant, ...]:
    base = {
        ZHANG: Participant(ZHANG, "张三", "researcher"),
        LI: Participant(LI, "李四", "researcher"),
        WANG: Participant(WANG, "王五", "researcher"),
        ACME: Participant(ACME, "某公司", "company"),
        BETA: Participant(BETA, "另一公司", "company"),
        GAMMA: Participant(GAMMA, "第三公司", "company"),
    }
    for key, fields in changes.items():
        person_id = {"zhang": ZHANG, "li": LI, "wang": WANG, "acme": ACME, "beta": BETA, "gamma": GAMMA}[key]
        base[person_id] = replace(base[person_id], **fields)
    return tuple(base.values())


def _problem(pairs: tuple[Pair, ...], *, slots=SLOTS, tables=TABLES, people=None, **fields) -> Problem:
    return Problem(slots=slots, tables=tables, participants=people or _people(), pairs=pairs, **fields)


def _solve(problem: Problem):
    return solve(problem, time_limit_s=5.0, workers=2)


def test_fairness_gives_everyone_a_meeting_where_pure_score_would_not():
    # 张三 is the better match for 某公司, who can only take one meeting; scoring alone gives 张三 both
    # companies and 李四 nothing (that is what the greedy schedule does).
    problem = _problem(
        (Pair(1, ZHANG, ACME, 0.9), Pair(2, ZHANG, BETA, 0.9), Pair(3, LI, ACME, 0.2)),
        people=_people(acme={"cap": 1}),
    )
    assert sorted(m.pair_id for m in greedy_schedule(problem)) == [1, 2]
    result = _solve(problem)
    assert sorted(m.pair_id for m in result.meetings) == [2, 3]
    assert result.status == "optimal"
    assert result.unplaced == (Unplaced(1, "cap", "达到上限"),)


def test_objective_reported_equals_the_objective_of_the_schedule():
    problem = _problem(
        (Pair(1, ZHANG, ACME, 0.9, must=True), Pair(2, ZHANG, BETA, 0.4), Pair(3, LI, ACME, 0.7)),
        min_meetings_per_participant=2,
    )
    result = _solve(problem)
    assert result.objective == objective_value(problem, result.meetings)
    assert result.bound == result.objective


def test_refused_pair_is_never_scheduled_and_says_so():
    problem = _problem((Pair(1, ZHANG, ACME, 0.9, refused=True), Pair(2, LI, ACME, 0.1)))
    result = _solve(problem)
    assert [m.pair_id for m in result.meetings] == [2]
    assert result.unplaced == (Unplaced(1, "refused", "不见"),)


def test_pair_without_a_common_slot_is_unplaced_for_availability():
    problem = _problem(
        (Pair(1, ZHANG, ACME, 0.9),),
        people=_people(zhang={"available": frozenset({0})}, acme={"available": frozenset({1, 2})}),
    )
    result = _solve(problem)
    assert result.meetings == ()
    assert result.unplaced == (Unplaced(1, "availability", "时间不可用"),)


def test_pair_left_out_because_every_table_is_taken_says_no_free_table():
    one_slot = SLOTS[:1]
    problem = _problem((Pair(1, ZHANG, ACME, 0.9), Pair(2, LI, BETA, 0.5)), slots=one_slot, tables=TABLES[:1])
    result = _solve(problem)
    assert result.meetings == (Meeting(1, 0, 1),)
    assert result.unplaced == (Unplaced(2, "no_table", "无空闲桌位"),)


def test_pair_whose_shared_slots_went_to_better_meetings_is_not_worth_it():
    problem = _problem(
        (Pair(1, ZHANG, ACME, 0.9), Pair(2, ZHANG, BETA, 0.5), Pair(3, LI, BETA, 0.6)), slots=SLOTS[:1]
    )
    result = _solve(problem)
    assert sorted(m.pair_id for m in result.meetings) == [1, 3]
    assert result.unplaced == (Unplaced(2, "not_worth", "其他更优"),)


def test_nobody_is_double_booked_and_tables_are_numbered_from_the_first():
    pairs = tuple(
        Pair(n, r, c, 0.5)
        for n, (r, c) in enumerate(((r, c) for r in (ZHANG, LI, WANG) for c in (ACME, BETA, GAMMA)), 1)
    )
    result = _solve(_problem(pairs))
    assert len(result.meetings) == 9
    assert sorted({m.table for m in result.meetings}) == [1, 2, 3]
    assert len({(m.slot, m.table) for m in result.meetings}) == 9


def test_pinned_slot_and_table_are_kept():
    problem = _problem(
        (Pair(1, ZHANG, ACME, 0.9), Pair(2, LI, BETA, 0.2)),
        pins=(Pin(2, slot=2, table=3), Pin(1, table=2)),
    )
    result = _solve(problem)
    by_pair = {m.pair_id: m for m in result.meetings}
    assert by_pair[2] == Meeting(2, 2, 3)
    assert by_pair[1].table == 2


def test_pins_sharing_a_person_in_one_slot_are_refused_with_the_conflict_named():
    problem = _problem(
        (Pair(1, ZHANG, ACME, 0.9), Pair(2, ZHANG, BETA, 0.5)), pins=(Pin(1, slot=1), Pin(2, slot=1))
    )
    with pytest.raises(ValidationFailed) as caught:
        solve(problem)
    assert caught.value.message == (
        "固定的会谈「张三—某公司」与「张三—另一公司」在 14:20 冲突：张三同一时段只能参加一场。"
    )


def test_pins_sharing_a_table_in_one_slot_are_refused():
    problem = _problem(
        (Pair(1, ZHANG, ACME, 0.9), Pair(2, LI, BETA, 0.5)),
        pins=(Pin(1, slot=0, table=1), Pin(2, slot=0, table=1)),
    )
    with pytest.raises(ValidationFailed) as caught:
        check_pins(problem)
    assert caught.value.message == (
        "固定的会谈「张三—某公司」与「李四—另一公司」在 14:00 冲突：桌位「1号桌」同一时段只能安排一场。"
    )


def test_pin_outside_availability_is_refused():
    problem = _problem(
        (Pair(1, ZHANG, ACME, 0.9),),
        people=_people(acme={"available": frozenset({0, 1})}),
        pins=(Pin(1, slot=2),),
    )
    with pytest.raises(ValidationFailed) as caught:
        check_pins(problem)
    assert caught.value.message == "固定的会谈「张三—某公司」在 14:40 无法进行：某公司该时段不可参加。"


def test_pin_on_a_refused_pair_is_refused():
    problem = _problem((Pair(1, ZHANG, ACME, 0.9, refused=True),), pins=(Pin(1),))
    with pytest.raises(ValidationFailed) as caught:
        check_pins(problem)
    assert caught.value.message == "固定的会谈「张三—某公司」已被标记为不见，不能固定。"


def test_more_pins_than_a_persons_cap_are_refused():
    problem = _problem(
        (Pair(1, ZHANG, ACME, 0.9), Pair(2, ZHANG, BETA, 0.5)),
        people=_people(zhang={"cap": 1}),
        pins=(Pin(1), Pin(2)),
    )
    with pytest.raises(ValidationFailed) as caught:
        check_pins(problem)
    assert caught.value.message == "张三固定了 2 场会谈，超过其上限 1 场。"


def test_more_pins_in_a_slot_than_tables_are_refused():
    problem = _problem(
        (Pair(1, ZHANG, ACME, 0.9), Pair(2, LI, BETA, 0.5)),
        tables=TABLES[:1],
        pins=(Pin(1, slot=0), Pin(2, slot=0)),
    )
    with pytest.raises(ValidationFailed) as caught:
        check_pins(problem)
    assert caught.value.message == "14:00 固定了 2 场会谈，超过桌位数 1。"


def test_pin_on_an_unknown_pair_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        check_pins(_problem((Pair(1, ZHANG, ACME, 0.9),), pins=(Pin(7),)))
    assert caught.value.message == "固定的会谈引用了不存在的候选配对 7。"


def test_pins_without_slots_that_cannot_all_fit_make_the_solve_infeasible():
    problem = _problem(
        (Pair(1, ZHANG, ACME, 0.9), Pair(2, ZHANG, BETA, 0.5)),
        people=_people(zhang={"available": frozenset({0})}),
        pins=(Pin(1), Pin(2)),
    )
    result = _solve(problem)
    assert (result.status, result.meetings) == ("infeasible", ())


def test_re_solve_of_an_unchanged_event_moves_nothing():
    pairs = tuple(
        Pair(n, r, c, round(0.1 + 0.07 * n, 2))
        for n, (r, c) in enumerate(((r, c) for r in (ZHANG, LI, WANG) for c in (ACME, BETA, GAMMA)), 1)
    )
    first = _solve(_problem(pairs, tables=TABLES[:2]))
    again = _solve(_problem(pairs, tables=TABLES[:2], previous=first.meetings))
    assert again.moved == ()
    assert again.meetings == first.meetings


def test_re_solve_after_someone_loses_a_slot_moves_only_their_meeting():
    pairs = (Pair(1, ZHANG, ACME, 0.9), Pair(2, LI, BETA, 0.8), Pair(3, ZHANG, BETA, 0.7))
    published = (Meeting(1, 0, 1), Meeting(2, 1, 1), Meeting(3, 2, 1))
    problem = _problem(pairs, people=_people(zhang={"available": frozenset({1, 2})}), previous=published)
    result = _solve(problem)
    # 张三 can no longer come at 14:00; 14:20 is free for both 张三 and 某公司, where table 1 is taken by
    # 李四—另一公司, so the meeting moves there on table 2 and nothing else changes.
    assert result.moved == (Move(1, Meeting(1, 0, 1), Meeting(1, 1, 2)),)
    assert result.meetings == (Meeting(1, 1, 2), Meeting(2, 1, 1), Meeting(3, 2, 1))


def test_new_meeting_in_a_re_solve_is_listed_as_moved_from_nowhere():
    pairs = (Pair(1, ZHANG, ACME, 0.9), Pair(2, LI, BETA, 0.8))
    result = _solve(_problem(pairs, previous=(Meeting(1, 0, 1),)))
    assert result.moved == (Move(2, None, result.meetings[-1]),)


FOUR_SLOTS = tuple(make_slots(date(2026, 5, 20), time(14), time(15, 20), 20))


def test_meetings_are_packed_together_where_the_earliest_slot_would_leave_a_wait():
    # 某公司 can come at 14:00 or 15:00 only. Earliest-slot placement puts 张三—另一公司 at 14:00 and
    # 张三—某公司 at 15:00, so 张三 waits through 14:20 and 14:40; packed, he meets 某公司 first.
    problem = _problem(
        (Pair(1, ZHANG, BETA, 0.9), Pair(2, ZHANG, ACME, 0.5), Pair(3, LI, BETA, 0.8)),
        slots=FOUR_SLOTS,
        people=_people(acme={"available": frozenset({0, 3})}),
    )
    greedy = greedy_schedule(problem)
    assert idle_slots_by_participant(problem, [(m.pair_id, m.slot) for m in greedy])[ZHANG] == [1, 2]
    result = _solve(problem)
    assert result.status == "optimal"
    assert len(result.meetings) == 3
    chosen = [(m.pair_id, m.slot) for m in result.meetings]
    assert all(idle == [] for idle in idle_slots_by_participant(problem, chosen).values())
    assert {m.pair_id: m.slot for m in result.meetings}[2] == 0


def test_a_company_with_two_representatives_meets_in_one_block():
    # Two people from one company (group 99): one can meet 张三 only at 14:40, the other 李四 at 14:00 or
    # 14:20. Either is equal for each person; together the delegation should not sit through 14:20 idle.
    people = (
        Participant(ZHANG, "张三", "researcher", available=frozenset({2})),
        Participant(LI, "李四", "researcher", available=frozenset({0, 1})),
        Participant(ACME, "某公司甲", "company", group=99),
        Participant(BETA, "某公司乙", "company", group=99),
    )
    problem = _problem((Pair(1, ZHANG, ACME, 0.5), Pair(2, LI, BETA, 0.5)), people=people)
    result = _solve(problem)
    assert result.status == "optimal"
    assert {m.pair_id: m.slot for m in result.meetings} == {1: 2, 2: 1}
    assert idle_slots_by_group(problem, [(m.pair_id, m.slot) for m in result.meetings]) == {99: []}


def test_a_low_score_meeting_is_still_kept_when_it_would_add_a_wait():
    # 张三 meets 某公司 at 14:00; 第三公司 (score 0) can come only at 15:00. The wait costs less than the meeting.
    problem = _problem(
        (Pair(1, ZHANG, ACME, 0.9), Pair(2, ZHANG, GAMMA, 0.0)),
        slots=FOUR_SLOTS,
        people=_people(acme={"available": frozenset({0})}, gamma={"available": frozenset({3})}),
    )
    result = _solve(problem)
    assert sorted(m.pair_id for m in result.meetings) == [1, 2]
    assert result.objective == objective_value(problem, result.meetings)


def test_even_out_of_time_the_solver_returns_a_schedule_that_keeps_the_rules():
    import random

    rng = random.Random(7)
    people = tuple(Participant(i, f"人{i}", "researcher" if i <= 30 else "company") for i in range(1, 81))
    pairs = tuple(
        Pair(n, r, c, round(rng.random(), 3))
        for n, (r, c) in enumerate(
            sorted(rng.sample([(r, c) for r in range(1, 31) for c in range(31, 81)], 400)), start=1
        )
    )
    slots = tuple(make_slots(date(2026, 5, 20), time(9), time(12), 20))
    tables = tuple(Table(t, f"{t}号桌") for t in range(1, 16))
    problem = Problem(slots=slots, tables=tables, participants=people, pairs=pairs)
    result = solve(problem, time_limit_s=0.05, workers=2)
    assert result.status in ("optimal", "feasible") and result.meetings
    busy = [
        (p, m.slot)
        for m in result.meetings
        for p in (problem.pairs_by_id[m.pair_id].a, problem.pairs_by_id[m.pair_id].b)
    ]
    assert len(busy) == len(set(busy))
    assert result.objective == objective_value(problem, result.meetings) <= result.bound
