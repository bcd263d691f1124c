"""检索成果 ranks as the need page does: the matcher's fused score orders the backend's keyword hits, and a
description also brings the matcher's own best offers, even without a shared word."""

from __future__ import annotations

from matchmaker.search import OfferFilters
from matchmaker.services import match_index
from matchmaker.services import search as search_service

SEU = "东南大学溧阳研究院"


def _offers(make):  # type: ignore[no-untyped-def]
    return [
        make.offer(SEU, title="一种锂离子电池用陶瓷涂覆隔膜", abstract="隔膜涂覆勃姆石，耐高温。"),
        make.offer(SEU, title="一种抑制锂离子电池产气的电解液添加剂", abstract="减少高温存储产气。"),
        make.offer(
            SEU,
            title="一种齿轮减速机故障的声振融合诊断方法",
            abstract="采集振动与声音信号，识别齿轮磨损与断齿。",
        ),
    ]


def _search(services, query: str, **filters):  # type: ignore[no-untyped-def]
    with services.session() as session:
        result, _cards = search_service.search_offers(services, session, query, OfferFilters(**filters))
    return [h.id for h in result.hits], result


def test_results_are_in_the_matchers_order(services, make) -> None:
    _offers(make)
    query = "锂离子电池高温 隔膜 产气"
    ids, _result = _search(services, query)
    index = match_index.ensure(services)
    assert index is not None
    expected = [int(m.offer_id) for m in index.rank_query(index.analyse_query(query), 10)]
    assert ids == [i for i in expected if i in ids] and len(ids) >= 2


def test_a_description_without_a_shared_word_still_finds_the_matchers_best(services, make) -> None:
    offers = _offers(make)
    query = "车间设备老是突然停机坏掉，想提前知道"
    keyword = search_service.backend(services)
    ids, result = _search(services, query)
    alone = keyword.search(query, OfferFilters())
    assert offers[2].id in ids and result.total == len(ids)
    assert offers[2].id not in [h.id for h in alone.hits]  # the keyword backend alone misses it


def test_a_keyword_query_finds_only_what_contains_it_and_filters_still_apply(services, make) -> None:
    offers = _offers(make)
    assert _search(services, "隔膜")[0] == [offers[0].id]
    assert _search(services, "锂离子电池 隔膜 产气 高温", field="现代农业")[0] == []
