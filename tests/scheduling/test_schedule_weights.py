from datetime import date, time

from matchmaker.scheduling.model import Meeting, Pair, Participant, Problem, Table
from matchmaker.scheduling.slots import make_slots
from matchmaker.scheduling.weights import objective_value, pair_weight


def test_plain_pair_weighs_a_base_plus_its_score_in_thousandths():
    assert pair_weight(Pair(1, 1, 2, 0.437)) == 100 + 437


def test_a_zero_score_pair_is_still_worth_a_free_slot():
    assert pair_weight(Pair(1, 1, 2, 0.0)) == 100


def test_accepted_request_and_must_meet_add_their_bonuses():
    assert pair_weight(Pair(1, 1, 2, 0.5, accepted_request=True)) == 100 + 500 + 500
    assert pair_weight(Pair(1, 1, 2, 0.5, must=True)) == 100 + 500 + 2000
    assert pair_weight(Pair(1, 1, 2, 0.5, must=True, accepted_request=True)) == 100 + 500 + 500 + 2000


def test_score_outside_zero_to_one_is_clamped():
    assert pair_weight(Pair(1, 1, 2, 1.7)) == 100 + 1000
    assert pair_weight(Pair(1, 1, 2, -0.2)) == 100


def test_objective_counts_pairs_minimum_bonus_and_moved_published_meetings():
    problem = Problem(
        slots=tuple(make_slots(date(2026, 5, 20), time(14), time(15), 20)),
        tables=(Table(1, "1号桌"),),
        participants=(
            Participant(1, "张三", "researcher"),
            Participant(2, "某公司", "company"),
            Participant(3, "另一公司", "company"),
        ),
        pairs=(Pair(1, 1, 2, 0.4), Pair(2, 1, 3, 0.3)),
        min_meetings_per_participant=2,
        previous=(Meeting(1, 0, 1), Meeting(2, 1, 1)),
    )
    meetings = [Meeting(1, 0, 1), Meeting(2, 2, 1)]
    # 100 + 400 and 100 + 300 for the pairs; 张三 has two meetings (2 x 1000), each company one (1000 each);
    # pair 2 left its published slot (-2000); 张三 waits through 14:20 between his two meetings (-60).
    assert objective_value(problem, meetings) == 500 + 400 + 2000 + 1000 + 1000 - 2000 - 60
