import numpy as np

from matchmaker.matching.evaluation import SignalTable
from matchmaker.matching.fusion import SIGNALS
from matchmaker.matching.tuning import (
    MIN_WEIGHT,
    Preferences,
    cosine_band,
    cross_validate,
    fit,
    folds_of,
    need_preferences,
    preference_pairs,
    score_curve,
)


def _table() -> tuple[SignalTable, dict[str, dict[str, int]]]:
    """bm25 points at the relevant offer; semantic points at a wrong one."""
    needs, offers = [f"N{i}" for i in range(10)], [f"O{i}" for i in range(10)]
    values = np.zeros((10, 10, len(SIGNALS)))
    for i in range(10):
        values[i, i, SIGNALS.index("bm25")] = 1.0
        values[i, (i + 1) % 10, SIGNALS.index("semantic")] = 0.9
    return SignalTable(needs, offers, values), {n: {o: 2} for n, o in zip(needs, offers)}


def test_fit_moves_weight_to_the_signal_that_ranks_well() -> None:
    table, qrels = _table()
    weights = fit(table, qrels, range(10))
    assert weights[SIGNALS.index("bm25")] > 0.5
    assert weights[SIGNALS.index("semantic")] == 0.0


def test_fit_keeps_the_policy_floor_of_legal_status() -> None:
    table, qrels = _table()
    assert fit(table, qrels, range(10))[SIGNALS.index("legal")] == MIN_WEIGHT["legal"]


def test_preference_pairs_set_each_relevant_offer_against_every_lower_grade() -> None:
    table, qrels = _table()
    differences, importance = preference_pairs(table, qrels, [0])
    assert differences.shape == (9, len(SIGNALS))
    assert importance.tolist() == [2.0] * 9
    assert differences[:, SIGNALS.index("bm25")].tolist() == [1.0] * 9


def test_score_curve_puts_typical_relevant_pair_above_the_middle() -> None:
    table, qrels = _table()
    weights = np.zeros(len(SIGNALS))
    weights[SIGNALS.index("bm25")] = 1.0
    offset, scale = score_curve(table, qrels, weights)
    assert (offset, scale) == (0.5, 0.25)


def test_folds_split_needs_without_overlap() -> None:
    folds = folds_of(10, 5)
    assert sorted(i for f in folds for i in f) == list(range(10))


def test_cross_validation_reports_every_fold_held_out() -> None:
    table, qrels = _table()
    per_fold, pooled = cross_validate(table, qrels, 5)
    assert [r.held_out_needs for r in per_fold] == [2, 2, 2, 2, 2]
    assert pooled["mrr@10"] == 1.0


def test_cosine_band_runs_from_a_typical_pair_to_a_clearly_solving_one() -> None:
    cosines = np.array([[0.80, 0.84, 0.86, 0.95], [0.82, 0.85, 0.90, 0.93]])
    grades = np.array([[0, 0, 1, 2], [0, 0, 0, 2]])
    floor, ceiling = cosine_band(cosines, grades)
    assert floor == 0.855  # median of every pair
    assert 0.93 < ceiling <= 0.95  # near the top of the pairs labelled 2
    assert cosine_band(np.array([0.9, 0.9]), np.array([0, 0]))[1] > 0.9  # no solving pair: still a band


def test_need_preferences_compare_each_offer_with_every_lower_grade_only() -> None:
    values = np.eye(3, len(SIGNALS))
    differences, importance = need_preferences(values, np.array([2, 1, 0]))
    assert importance.tolist() == [1.0, 2.0, 1.0]  # 2 over 1, 2 over 0 (two grades apart), 1 over 0
    assert differences.shape == (3, len(SIGNALS))
    assert (
        need_preferences(values, np.array([0, 0, 0]))[1].size == 0
    )  # all judged irrelevant: nothing to learn


def test_extra_preferences_from_judgements_pull_the_fit_their_way() -> None:
    table, qrels = _table()
    semantic = SIGNALS.index("semantic")
    differences = np.zeros((40, len(SIGNALS)))
    differences[:, semantic] = 1.0  # organizers preferred the semantically closer offer every time
    extra = Preferences(differences, np.ones(40), needs=40)
    assert fit(table, qrels, range(10))[semantic] == 0.0
    assert fit(table, qrels, range(10), extra)[semantic] > 0.1
