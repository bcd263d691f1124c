"""The plain score a hand-picked event pair gets: field, shared pieces, price in budget."""

from matchmaker.matching.docs import NeedDoc, OfferDoc
from matchmaker.matching.overlap import overlap_score


def _offer(**changes: object) -> OfferDoc:
    base: dict[str, object] = {
        "id": "1", "title": "一种锂离子电池隔膜陶瓷涂覆方法", "abstract": "隔膜陶瓷涂覆，降低高温收缩。",
        "field": "动力电池", "price_wan": 50,
    }  # fmt: skip
    base.update(changes)
    return OfferDoc(**base)  # type: ignore[arg-type]


def _need(**changes: object) -> NeedDoc:
    base: dict[str, object] = {
        "id": "2", "title": "隔膜高温收缩", "description": "隔膜在高温下收缩。", "field": "动力电池",
        "budget_max_wan": 80,
    }  # fmt: skip
    base.update(changes)
    return NeedDoc(**base)  # type: ignore[arg-type]


def test_same_field_shared_words_and_price_in_budget_add_up_with_reasons() -> None:
    score, reasons = overlap_score(_offer(), _need())
    assert 0.5 < score <= 1.0
    assert reasons[0] == "同属产业领域「动力电池」" and reasons[1].startswith("共同词语：")
    assert reasons[-1] == "报价 50 万元在预算之内"


def test_an_unrelated_pair_scores_nothing() -> None:
    score, reasons = overlap_score(
        _offer(field="现代农业", price_wan=90), _need(title="白茶", description="采茶")
    )
    assert (score, reasons) == (0.0, ())
