"""An event's theme applied to the matcher's pairs: only pairs on theme stay, the more on theme the higher."""

from __future__ import annotations

from matchmaker.matching.docs import NeedDoc, OfferDoc
from matchmaker.matching.fusion import Match, Reason
from matchmaker.matching.themes import NO_THEME, THEME_WEIGHT, Theme, on_theme
from matchmaker.matching.wording import reason_text

NEEDS = {
    "1": NeedDoc("1", "电池隔膜高温收缩", "锂离子电池隔膜在高温下收缩。", field="动力电池"),
    "2": NeedDoc("2", "茶园害虫防治", "茶小绿叶蝉危害严重。", field="现代农业"),
    "3": NeedDoc("3", "设备温控", "电解液储罐需要恒温。", field="高端装备"),
}
OFFERS = {
    "10": OfferDoc("10", "一种隔膜陶瓷涂覆方法", "降低隔膜高温收缩。", field="动力电池"),
    "20": OfferDoc("20", "一种茶园诱捕装置", "诱捕茶小绿叶蝉。", field="现代农业"),
    "30": OfferDoc("30", "一种恒温控制器", "用于储罐恒温。", field="高端装备"),
}


def _match(need: str, offer: str, score: float) -> Match:
    return Match(need_id=need, offer_id=offer, score=score, reasons=(Reason("semantic", {"percent": 50}),))


def _pairs(found: list[Match]) -> list[tuple[str, str]]:
    return [(m.need_id, m.offer_id) for m in found]


def test_only_pairs_with_a_side_in_the_themes_fields_stay_and_both_sides_on_theme_come_first() -> None:
    matches = [
        _match("2", "20", 0.9),
        _match("2", "10", 0.8),
        _match("1", "10", 0.7),
        _match("3", "30", 0.95),
    ]

    found = on_theme(Theme(fields=("动力电池",)), matches, NEEDS, OFFERS, total=1.0)

    # the tea pair and the equipment pair are off theme; the battery pair (both sides) outranks the closer
    # tea-need × battery-offer pair (one side): 0.7 + 2w > 0.8 + w
    assert _pairs(found) == [("1", "10"), ("2", "10")]
    assert [m.score for m in found] == [0.7, 0.8]  # the shown score is unchanged
    assert found[0].reasons[0] == Reason("theme", {"fields": ["动力电池"], "keywords": []})
    assert reason_text(found[0].reasons[0]) == "符合对接会主题：属动力电池领域"
    assert found[0].reasons[1:] == matches[2].reasons


def test_a_side_on_theme_weighs_less_than_a_large_score_gap() -> None:
    matches = [_match("2", "10", 0.9), _match("1", "10", 0.9 - 2 * THEME_WEIGHT)]

    found = on_theme(Theme(fields=("动力电池",)), matches, NEEDS, OFFERS, total=1.0)

    assert _pairs(found) == [("2", "10"), ("1", "10")]


def test_a_keyword_in_either_text_puts_a_pair_on_theme() -> None:
    matches = [_match("3", "30", 0.9), _match("2", "20", 0.8)]

    found = on_theme(Theme(keywords=("电解液",)), matches, NEEDS, OFFERS, total=1.0)

    assert _pairs(found) == [("3", "30")]
    assert reason_text(found[0].reasons[0]) == "符合对接会主题：含关键词电解液"


def test_without_a_theme_the_pairs_are_left_as_they_are() -> None:
    matches = [_match("2", "20", 0.9), _match("1", "10", 0.7)]

    assert on_theme(NO_THEME, matches, NEEDS, OFFERS, total=1.0) == matches
