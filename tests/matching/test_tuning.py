import numpy as np

from matchmaker.matching.evaluation import SignalTable
from matchmaker.matching.fusion import SIGNALS
from matchmaker.matching.tuning import cross_validate, fit, folds_of


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
    start = np.zeros(len(SIGNALS))
    start[SIGNALS.index("semantic")] = 1.0
    weights = fit(table, qrels, range(10), start)
    assert weights[SIGNALS.index("bm25")] > weights[SIGNALS.index("semantic")]


def test_folds_split_needs_without_overlap() -> None:
    folds = folds_of(10, 5)
    assert sorted(i for f in folds for i in f) == list(range(10))


def test_cross_validation_reports_every_fold_held_out() -> None:
    table, qrels = _table()
    start = np.zeros(len(SIGNALS))
    start[SIGNALS.index("semantic")] = 1.0
    per_fold, pooled = cross_validate(table, qrels, 5, start)
    assert [r.held_out_needs for r in per_fold] == [2, 2, 2, 2, 2]
    assert pooled["mrr@10"] == 1.0
