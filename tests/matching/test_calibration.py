"""The confidence curve: a fitted probability should match observed rates, and the strong threshold its target."""

import numpy as np

from matchmaker.matching import calibration as cal
from matchmaker.matching.fusion import Weights


def _sample(n: int = 4000, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Pairs whose true chance of being useful is a known logistic of one feature."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 2.0, size=(n, 1))
    truth = 1.0 / (1.0 + np.exp(-(1.5 * x[:, 0] - 1.0)))
    return x, (rng.random(n) < truth).astype(float)


def test_platt_recovers_a_known_curve_and_is_then_calibrated() -> None:
    x, useful = _sample()
    slope, intercept = cal.platt(x, useful)
    assert abs(slope - 1.5) < 0.25 and abs(intercept + 1.0) < 0.25
    assert cal.expected_calibration_error(cal.probabilities(x, (slope, intercept)), useful) < 0.03


def test_a_constant_confidence_is_off_by_the_gap_to_the_observed_rate() -> None:
    useful = np.array([1.0, 0.0, 0.0, 0.0])
    assert abs(cal.expected_calibration_error(np.full(4, 0.75), useful) - 0.5) < 1e-9


def test_the_strong_threshold_keeps_precision_at_its_target() -> None:
    x, useful = _sample()
    p = cal.probabilities(x, cal.platt(x, useful))
    threshold = cal.strong_threshold(p, useful, 0.9)
    precision, count = cal.strong_precision(p, useful, threshold)
    assert precision >= 0.9 and count >= 50
    assert cal.strong_precision(p, useful, threshold - 0.2)[0] < 0.9  # a lower threshold would fall short


def test_nothing_is_strong_when_no_threshold_reaches_the_target() -> None:
    p = np.linspace(0.1, 0.9, 20)
    assert cal.strong_threshold(p, np.zeros(20), 0.9) == 1.0


def test_shown_pairs_take_each_lists_top_with_its_gap_and_first_flag() -> None:
    values = np.array([[[3.0], [1.0], [2.0]]])  # one need × three offers × one signal
    grades = np.array([[2, 0, 1]])
    features, useful = cal.shown_pairs(values, grades, np.array([1.0]), [0])
    assert features.tolist() == [[3.0, 0.0, 1.0], [2.0, -1.0, 0.0], [1.0, -2.0, 0.0]]
    assert useful.tolist() == [1.0, 1.0, 0.0]


def test_weights_give_the_first_of_a_list_more_confidence_than_an_equal_value_behind_it() -> None:
    w = Weights({}, confidence_slope=0.5, confidence_gap=0.1, confidence_first=1.5, confidence_intercept=-4.0)
    assert w.confidence(6.0, 6.0) > w.confidence(6.0, 8.0)
    assert abs(w.confidences(np.array([[6.0, 0.0, 1.0]]))[0] - w.confidence(6.0, 6.0)) < 1e-12
