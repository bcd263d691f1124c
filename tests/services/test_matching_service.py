"""The app's matcher: built from the database, kept current by listeners and catch-up, persisted, masked for
each viewer, proposing event pairs and evaluated on stored judgements. The hashing embedder keeps it offline."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from matchmaker.bootstrap import build
from matchmaker.domain.errors import PermissionDenied
from matchmaker.matching.embedding import HashingEmbedder
from matchmaker.matching.fusion import SIGNALS
from matchmaker.matching.wording import reason_text
from matchmaker.services import (
    accounts,
    event_proposals,
    match_evaluation,
    match_index,
    matching,
    needs,
    offers,
)
from matchmaker.services.permissions import Actor
from matchmaker.storage.models import Judgement

SEU = "东南大学溧阳研究院"
FIELDS = ("动力电池", "现代农业", "新材料")


def offer_values(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "一种锂离子电池隔膜陶瓷涂覆方法", "abstract": "本发明公开了一种锂离子电池隔膜的陶瓷涂覆工艺，降低高温收缩。",
        "claims": "", "application_number": "202310198211.X", "patent_type": "发明", "legal_status": "有效",
        "ipc": "H01M 50/449", "inventors": "王平", "institution": SEU, "transfer_modes": ["转让"], "price_wan": "50",
        "trl": "6", "field": "动力电池", "contact": "王工 0519-87000000",
    }  # fmt: skip
    base.update(overrides)
    return base


def need_values(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "电池隔膜高温收缩", "description": "我们的锂离子电池隔膜在高温下收缩，希望找到涂覆工艺。",
        "expected_outcome": "小试工艺", "field": "动力电池", "budget_min_wan": "20", "budget_max_wan": "80",
        "coop_modes": ["转让"], "deadline": "", "contact": "李工 13800000000",
    }  # fmt: skip
    base.update(overrides)
    return base


@pytest.fixture
def seu(make) -> Actor:  # type: ignore[no-untyped-def]
    return accounts.actor_for(make.user("researcher", institution=SEU))


@pytest.fixture
def sme(make):  # type: ignore[no-untyped-def]
    company = make.company(name="溧阳恒力电池有限公司")
    return accounts.actor_for(make.user("sme", company=company))


def post_need(services, actor: Actor, **overrides: Any) -> int:  # type: ignore[no-untyped-def]
    with services.transaction() as session:
        need = needs.create_need(
            session, actor, need_values(**overrides), fields=FIELDS, today=date(2026, 1, 5)
        )
    assert need.id is not None
    return need.id


def view(services, need_id: int, actor: Actor) -> needs.NeedView:  # type: ignore[no-untyped-def]
    with services.session() as session:
        return needs.view_one(session, need_id, actor)


def suggested_offers(services, need_id: int, actor: Actor) -> list[int]:  # type: ignore[no-untyped-def]
    return [
        s.offer_id for s in matching.offers_for_need(services, actor, view(services, need_id, actor)).items
    ]


def test_publishing_editing_and_withdrawing_an_offer_update_the_index_at_once(services, seu, sme) -> None:
    match_index.ensure(services, wait=True)
    need_id = post_need(services, sme)
    with services.transaction() as session:
        offer = offers.create_offer(
            session, seu, offer_values(), status="发布", fields=services.reference.fields
        )
    index = match_index.state(services).index
    assert index is not None

    published = (str(offer.id) in index.offers, suggested_offers(services, need_id, sme))
    with services.transaction() as session:
        offers.update_offer(
            session,
            seu,
            offer.id,
            offer_values(title="一种锂离子电池隔膜陶瓷涂覆与干燥方法"),
            fields=services.reference.fields,
        )
    edited_title = index.offers[str(offer.id)].doc.title
    with services.transaction() as session:
        offers.change_status(session, seu, offer.id, "撤回")

    assert published == (True, [offer.id])
    assert edited_title == "一种锂离子电池隔膜陶瓷涂覆与干燥方法"
    assert (str(offer.id) in index.offers, suggested_offers(services, need_id, sme)) == (False, [])


def test_a_draft_offer_is_never_indexed_and_a_converted_one_leaves_the_index(services, seu, sme) -> None:
    match_index.ensure(services, wait=True)
    with services.transaction() as session:
        draft = offers.create_offer(session, seu, offer_values(), fields=services.reference.fields)
    with services.transaction() as session:
        published = offers.create_offer(
            session,
            seu,
            offer_values(application_number="202310198212.4", title="一种隔膜涂覆浆料"),
            status="发布",
            fields=services.reference.fields,
        )
    with services.transaction() as session:
        offers.change_status(session, seu, published.id, "已转化")

    assert match_index.state(services).index.offers == {}  # type: ignore[union-attr]
    assert draft.status == "草稿"


def test_posting_and_closing_a_need_update_the_index_after_commit(services, sme) -> None:
    match_index.ensure(services, wait=True)
    need_id = post_need(services, sme)
    index = match_index.state(services).index
    assert index is not None
    posted = str(need_id) in index.needs
    with services.transaction() as session:
        needs.change_status(session, sme, need_id, "关闭")

    assert (posted, str(need_id) in index.needs) == (True, False)
    assert matching.offers_for_need(services, sme, view(services, need_id, sme)).state == "not_indexed"


def test_a_change_written_by_another_process_is_caught_up_on_the_next_read(services, make, sme) -> None:
    match_index.ensure(services, wait=True)
    need_id = post_need(services, sme)
    offer = make.offer(
        title="一种锂离子电池隔膜陶瓷涂覆方法", abstract="隔膜陶瓷涂覆，降低高温收缩。"
    )  # no listener

    assert suggested_offers(services, need_id, sme) == [offer.id]


class CountingEmbedder:
    """The hashing embedder, counting the texts it is asked to embed (a different class: built in the background)."""

    model_id = "hashing-char-ngrams"

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.inner = HashingEmbedder()
        self.texts = 0
        self.gate = gate

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if self.gate is not None:
            self.gate.wait(timeout=30)
        self.texts += len(texts)
        return self.inner.query(texts)

    def query(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)


def test_a_restart_loads_the_saved_index_and_embeds_nothing_again(settings, make, sme) -> None:
    first = build(settings)
    first.embedder = CountingEmbedder()
    make.offer(title="一种锂离子电池隔膜陶瓷涂覆方法")
    make.need(make.company())
    report = match_index.rebuild(first)

    restarted = build(settings)
    counting = CountingEmbedder()
    restarted.embedder = counting
    index = match_index.ensure(restarted, wait=True)

    assert (report.offers, report.needs, report.embedded > 0) == (1, 1, True)
    assert index is not None
    assert (len(index.offers), len(index.needs), counting.texts) == (1, 1, 0)


def test_an_offer_changed_while_the_server_was_down_is_re_added_from_the_vector_cache(settings, make) -> None:
    first = build(settings)
    first.embedder = CountingEmbedder()
    offer = make.offer(title="一种锂离子电池隔膜陶瓷涂覆方法")
    match_index.rebuild(first)
    with first.transaction() as session:
        from matchmaker.storage.models import Offer, utcnow

        stored = session.get(Offer, offer.id)
        assert stored is not None
        stored.updated_at = utcnow()  # touched, text unchanged
        session.add(stored)

    restarted = build(settings)
    counting = CountingEmbedder()
    restarted.embedder = counting
    index = match_index.ensure(restarted, wait=True)

    assert index is not None
    assert (list(index.offers), counting.texts) == ([str(offer.id)], 0)


def test_without_a_saved_index_a_slow_model_builds_in_the_background_and_pages_see_the_progress(
    services, make, sme
) -> None:
    gate = threading.Event()
    services.embedder = CountingEmbedder(gate)
    make.offer()
    make.offer()
    need_id = post_need(services, sme)

    loading = matching.offers_for_need(services, sme, view(services, need_id, sme))
    st = match_index.state(services)
    for _ in range(3000):  # until the thread has counted the documents (at most 30 s)
        if st.total:
            break
        threading.Event().wait(0.01)
    during = matching.offers_for_need(services, sme, view(services, need_id, sme))
    gate.set()
    thread = match_index.state(services).thread
    assert thread is not None
    thread.join(timeout=60)
    after = matching.offers_for_need(services, sme, view(services, need_id, sme))

    assert loading.state == "building"
    assert (during.state, during.message) == ("building", "匹配索引正在建立（0/3）…")
    assert (after.state, len(after.items)) == ("ready", 2)


def test_a_researcher_sees_needs_for_an_offer_without_a_private_budget(services, make, seu, sme) -> None:
    offer = make.offer(title="一种锂离子电池隔膜陶瓷涂覆方法", price_wan=50)
    post_need(services, sme)
    match_index.ensure(services, wait=True)

    shown = matching.needs_for_offer(services, seu, offer).items[0]
    organizer = accounts.actor_for(make.user("organizer"))
    full = matching.needs_for_offer(services, organizer, offer).items[0]

    assert shown.need is not None and full.need is not None
    assert (shown.need.budget_text, shown.need.contact, "price" in shown.signals) == (
        "（未公开）",
        None,
        False,
    )
    assert [reason_text(r) for r in shown.reasons if r.kind == "price"] == ["报价 50 万元，需求预算未公开"]
    assert [reason_text(r) for r in full.reasons if r.kind == "price"] == [
        "报价 50 万元，在预算上限 80 万元以内"
    ]
    assert shown.to_json()["need"]["budget_hidden"] is True
    hidden = next(r for r in shown.to_json()["reasons"] if r["kind"] == "price")
    assert hidden["values"] == {
        "price_wan": 50,
        "budget_hidden": True,
    }  # the budget is not in the data at all


def test_a_public_budget_is_quoted_to_everyone(services, make, seu, sme) -> None:
    offer = make.offer(title="一种锂离子电池隔膜陶瓷涂覆方法", price_wan=90)
    post_need(services, sme, budget_public="1")
    match_index.ensure(services, wait=True)

    shown = matching.needs_for_offer(services, seu, offer).items[0]

    assert [reason_text(r) for r in shown.reasons if r.kind == "price"] == [
        "报价 90 万元，超出预算上限 80 万元"
    ]


def test_smes_and_other_institutions_may_not_see_the_needs_an_offer_could_serve(services, make, sme) -> None:
    offer = make.offer()
    nuaa = accounts.actor_for(make.user("researcher", institution="南京航空航天大学天目湖校区"))

    for actor in (sme, nuaa):
        with pytest.raises(PermissionDenied):
            matching.needs_for_offer(services, actor, offer)


def test_event_proposals_come_from_the_matcher_with_scores_between_zero_and_one(services, make, sme) -> None:
    offer = make.offer(title="一种锂离子电池隔膜陶瓷涂覆方法", abstract="隔膜陶瓷涂覆，降低高温收缩。")
    need_id = post_need(services, sme)

    found = event_proposals.propose(services, min_score=0.0)

    assert [(p.offer_id, p.need_id, p.method) for p in found] == [(offer.id, need_id, "匹配引擎")]
    assert 0.0 < found[0].score <= 1.0
    assert found[0].reasons[0].startswith("共同关键词：")


def test_event_proposals_below_the_minimum_score_are_left_out(services, make, sme) -> None:
    make.offer(title="一种茶园茶小绿叶蝉诱捕装置", abstract="茶园害虫诱捕。", field="现代农业")
    post_need(services, sme)

    found = event_proposals.propose(services, min_score=0.9)

    assert found == []


def judge(services, need_id: int, offer_id: int, label: str, grade: int, source: str = "organizer") -> None:  # type: ignore[no-untyped-def]
    with services.transaction() as session:
        session.add(Judgement(need_id=need_id, offer_id=offer_id, label=label, grade=grade, source=source))


def small_judged_db(services, make, sme) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """One need with a good (隔膜 coating) and an unrelated (tea pests) offer judged, and a need judged 0 only."""
    good = make.offer(title="一种锂离子电池隔膜陶瓷涂覆方法", abstract="隔膜陶瓷涂覆，降低高温收缩。")
    bad = make.offer(title="一种茶园茶小绿叶蝉诱捕装置", abstract="茶园害虫诱捕。", field="现代农业")
    need_id = post_need(services, sme)
    other = post_need(services, sme, title="白茶采摘机械", description="白茶采摘费人工。", field="现代农业")
    judge(services, need_id, bad.id, "不相关", 0)
    judge(services, need_id, good.id, "签约", 2, "meeting")
    judge(services, other, good.id, "不相关", 0)
    return need_id, good.id, bad.id


def test_eval_on_judgements_ranks_the_signed_offer_first(services, make, sme) -> None:
    small_judged_db(services, make, sme)

    figures = match_evaluation.evaluate_judgements(services)

    assert (figures["judgements"], figures["needs_with_judgements"], figures["needs_counted"]) == (3, 2, 1)
    assert (figures["mrr@10"], figures["strict_mrr@10"], figures["ndcg@10"]) == (1.0, 1.0, 1.0)
    assert figures["needs_without_grade2_in_top10"] == 0
    assert sorted(figures["signals"]) == ["bm25", "semantic"]


def test_judgements_become_preference_pairs_for_tuning(services, make, sme) -> None:
    small_judged_db(services, make, sme)

    preferences = match_evaluation.judgement_preferences(services)

    # the signed 隔膜 offer over the tea offer, two grades apart; the need judged 0 only teaches nothing
    assert (preferences.needs, preferences.importance.tolist()) == (1, [2.0])
    assert preferences.differences[0, SIGNALS.index("bm25")] > 0


def test_tune_with_judgements_fits_on_both_and_writes_where_asked(
    tmp_path, settings, services, make, sme
) -> None:
    small_judged_db(services, make, sme)
    data = tmp_path / "set"
    data.mkdir()
    offers = [
        {
            "id": "O1",
            "title": "一种锂电池隔膜涂覆方法",
            "abstract": "隔膜涂覆陶瓷层，耐高温。",
            "field": "动力电池",
        },
        {"id": "O2", "title": "一种茶叶萎凋装置", "abstract": "白茶萎凋控温。", "field": "现代农业"},
    ]
    needs = [
        {"id": "N1", "title": "隔膜高温收缩", "description": "电芯隔膜受热收缩。", "field": "动力电池"},
        {"id": "N2", "title": "白茶萎凋温度不稳", "description": "萎凋间温度忽高忽低。", "field": "现代农业"},
    ]
    (data / "offers.jsonl").write_text(
        "\n".join(json.dumps(o, ensure_ascii=False) for o in offers), encoding="utf-8"
    )
    (data / "needs.jsonl").write_text(
        "\n".join(json.dumps(n, ensure_ascii=False) for n in needs), encoding="utf-8"
    )
    (data / "qrels.tsv").write_text("need_id\toffer_id\tgrade\nN1\tO1\t2\nN2\tO2\t2\n", encoding="utf-8")
    out = tmp_path / "weights.json"
    env = {
        "DATABASE_URL": settings.database_url,
        "MATCHMAKER_VAR_DIR": str(settings.var_dir),
        "SECRET_KEY": "cli-test",
        "MATCHMAKER_EMBEDDER": "hashing",
    }
    from matchmaker.cli import main

    result = CliRunner().invoke(
        main,
        ["tune", "--data", str(data), "--folds", "2", "--judgements", "--out", str(out), "--json"],
        env=env,
    )

    assert result.exit_code == 0, result.output
    assert (json.loads(result.output)["judgement_needs"], json.loads(result.output)["judgement_pairs"]) == (
        1,
        1,
    )
    written = json.loads(out.read_text(encoding="utf-8"))
    assert "组织者评价" in written["_comment"] and set(written["weights"]) == set(SIGNALS)


def test_tune_with_judgements_says_when_they_give_nothing_to_compare(
    tmp_path, settings, services, make, sme
) -> None:
    good = make.offer(title="一种锂离子电池隔膜陶瓷涂覆方法", abstract="隔膜陶瓷涂覆，降低高温收缩。")
    judge(services, post_need(services, sme), good.id, "签约", 2, "meeting")  # one judged offer: no pair
    data = tmp_path / "set"
    data.mkdir()
    (data / "offers.jsonl").write_text(
        json.dumps({"id": "O1", "title": "一种隔膜", "abstract": "隔膜。"}), encoding="utf-8"
    )
    (data / "needs.jsonl").write_text(
        json.dumps({"id": "N1", "title": "隔膜", "description": "隔膜收缩。"}), encoding="utf-8"
    )
    (data / "qrels.tsv").write_text("need_id\toffer_id\tgrade\nN1\tO1\t2\n", encoding="utf-8")
    env = {
        "DATABASE_URL": settings.database_url,
        "MATCHMAKER_VAR_DIR": str(settings.var_dir),
        "SECRET_KEY": "cli-test",
        "MATCHMAKER_EMBEDDER": "hashing",
    }
    from matchmaker.cli import main

    result = CliRunner().invoke(
        main,
        [
            "tune",
            "--data",
            str(data),
            "--folds",
            "2",
            "--judgements",
            "--out",
            str(tmp_path / "w.json"),
            "--json",
        ],
        env=env,
    )

    assert result.exit_code == 0, result.output
    assert "还没有可比较的成果对" in result.stderr
    assert json.loads(result.stdout)["judgement_needs"] == 0


def test_a_need_solved_after_a_contract_still_counts_in_the_evaluation(services, make, sme) -> None:
    need_id, _good, _bad = small_judged_db(services, make, sme)
    with services.transaction() as session:
        needs.change_status(session, sme, need_id, "对接中")
    with services.transaction() as session:
        needs.change_status(session, sme, need_id, "已解决")

    figures = match_evaluation.evaluate_judgements(services)

    assert (figures["needs_counted"], figures["mrr@10"]) == (1, 1.0)


def test_the_eval_judgements_command_prints_json(settings, services, make, sme) -> None:
    small_judged_db(services, make, sme)
    env = {
        "DATABASE_URL": settings.database_url,
        "MATCHMAKER_VAR_DIR": str(settings.var_dir),
        "SECRET_KEY": "cli-test",
        "MATCHMAKER_EMBEDDER": "hashing",
    }
    from matchmaker.cli import main

    result = CliRunner().invoke(main, ["eval", "--judgements", "--json"], env=env)

    assert result.exit_code == 0, result.output
    import json

    figures = json.loads(result.output)
    assert (figures["mrr@10"], figures["needs_counted"]) == (1.0, 1)


def test_eval_judgements_without_any_judgement_says_what_to_do(settings, make) -> None:
    make.offer()
    env = {
        "DATABASE_URL": settings.database_url,
        "MATCHMAKER_VAR_DIR": str(settings.var_dir),
        "SECRET_KEY": "cli-test",
        "MATCHMAKER_EMBEDDER": "hashing",
    }
    from matchmaker.cli import main

    result = CliRunner().invoke(main, ["eval", "--judgements"], env=env)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-2:] == [
        "评判 0 条，涉及需求 0 条，计入 0 条（至少有一个 1 分或 2 分的成果）；候选成果 1 项",
        "还没有可计入的评价：组织者在推荐上标记「好匹配」，或登记对接会结果（签约、意向）后再运行。",
    ]


def test_the_reindex_command_reports_what_it_indexed(settings, make) -> None:
    make.offer()
    make.need(make.company())
    env = {
        "DATABASE_URL": settings.database_url,
        "MATCHMAKER_VAR_DIR": str(settings.var_dir),
        "SECRET_KEY": "cli-test",
        "MATCHMAKER_EMBEDDER": "hashing",
    }
    from matchmaker.cli import main

    result = CliRunner().invoke(main, ["reindex"], env=env)

    assert result.exit_code == 0, result.output
    assert "匹配索引已重建：成果 1 项，需求 1 项" in result.output
    assert (settings.var_dir / "match_index" / "index.pickle").exists()


def test_eval_takes_data_or_judgements_not_both(tmp_path: Path) -> None:
    from matchmaker.cli import main

    result = CliRunner().invoke(main, ["eval", "--data", str(tmp_path), "--judgements"])

    assert result.exit_code == 2
    assert "--data 与 --judgements 只能选一个" in result.output


def test_eval_defaults_to_the_labelled_set_in_the_checkout() -> None:
    from matchmaker.cli import _bundled_eval_dir

    bundled = _bundled_eval_dir()

    assert bundled == Path(__file__).resolve().parents[2] / "eval"
    assert sum(1 for _ in (bundled / "needs.jsonl").open(encoding="utf-8")) == 50
