from matchmaker.matching.fusion import PairFacts, Reason, Weights, reasons_for
from matchmaker.matching.wording import reason_text, reason_tone


def _facts(**changes: object) -> PairFacts:
    base = {
        "shared_terms": (("电芯", "锂离子电池"), ("隔膜", "隔膜")),
        "semantic_percent": 72,
        "need_field": "动力电池",
        "offer_field": "动力电池",
        "ipc_level": "H01M 10",
        "price_wan": 40,
        "budget_max_wan": 50,
        "trl": 6,
        "wanted_trl": 5,
        "legal_status": "有效",
        "mode_ok": 1.0,
    }
    base.update(changes)
    return PairFacts(**base)  # type: ignore[arg-type]


def test_reasons_list_shared_terms_with_synonym_bridges() -> None:
    reasons = {r.kind: reason_text(r) for r in reasons_for(_facts())}
    assert reasons["terms"] == "共同关键词：电芯≈锂离子电池、隔膜"
    assert reasons["semantic"] == "语义相近度 72%"
    assert reasons["field"] == "同属动力电池领域"
    assert reasons["ipc"] == "IPC 分类 H01M 10 与该需求最相关的成果一致"
    assert reasons["price"] == "报价 40 万元，在预算上限 50 万元以内"
    assert reasons["readiness"] == "技术成熟度 TRL 6，满足期望成果所需的 TRL 5"


def test_reasons_say_when_price_exceeds_budget_and_patent_lapsed() -> None:
    reasons = {
        r.kind: reason_text(r) for r in reasons_for(_facts(price_wan=90, legal_status="失效", mode_ok=0.0))
    }
    assert reasons["price"] == "报价 90 万元，超出预算上限 50 万元"
    assert reasons["legal"] == "专利已失效：技术可自由使用，无需许可（也无从受让专利权）"
    assert reasons["mode"] == "成果的转化方式不在企业接受的合作方式之内"


def test_cross_field_pair_is_named_as_such() -> None:
    reasons = {
        r.kind: reason_text(r) for r in reasons_for(_facts(offer_field="航空航天", need_field="现代农业"))
    }
    assert reasons["field"] == "跨领域：需求属现代农业，成果属航空航天"


def test_score_is_the_weighted_sum_of_signals() -> None:
    weights = Weights({"bm25": 2.0, "semantic": 1.0})
    assert weights.score({"bm25": 0.25, "semantic": 0.5, "title": 1.0}) == 1.0


def test_reasons_are_data_and_their_tone_comes_from_the_values() -> None:
    over = next(r for r in reasons_for(_facts(price_wan=90)) if r.kind == "price")
    within = next(r for r in reasons_for(_facts()) if r.kind == "price")
    hidden = Reason("price", {"price_wan": 90, "budget_hidden": True})
    assert over.values == {"price_wan": 90, "budget_max_wan": 50}
    assert (reason_tone(over), reason_tone(within), reason_tone(hidden)) == ("warn", "", "warn")
    assert reason_text(hidden) == "报价 90 万元，需求预算未公开"
    low = next(r for r in reasons_for(_facts(trl=3)) if r.kind == "readiness")
    assert reason_tone(low) == "warn" and "低于" in reason_text(low)


def test_offer_kind_and_a_lapsed_patent_are_said_in_the_reasons() -> None:
    design = {
        r.kind: reason_text(r)
        for r in reasons_for(
            _facts(patent_type="外观设计", aspect="process", kind_fit=0.0, legal_status="失效")
        )
    }
    assert design["kind"] == "外观设计专利只保护外形，需求要的是工艺或方法"
    assert design["legal"].startswith("专利已失效：技术可自由使用，无需许可")
    assert "kind" not in {r.kind for r in reasons_for(_facts(patent_type="发明", aspect="process"))}
