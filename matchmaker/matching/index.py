"""The match index: offers and needs analysed once, kept current one by one, ranked in both directions.

Ranking is two-stage. Candidates come from whole-corpus scores that are cheap at 100,000 documents (bm25s over
canonical terms, one dot product against whole-document vectors); every signal, the fused score and the reasons
are then computed for the candidates only, as array operations over the whole candidate block (one gather for
BM25, one matrix product per embedding view, one rapidfuzz ``cdist`` for titles), never a Python loop per text
signal. Everything computed is persisted by :meth:`MatchIndex.save` so a restart recomputes nothing.

Need vectors are centred before they are compared with offers: the centroid of all need vectors is subtracted.
Needs share a direction — how an engineer writes about a problem (客户, 成本, 希望, 车间 …) — and offers that lie
along it (hubs) look close to every need; centring compares the part of a need that is its own (on the dev set the
title + abstract cosine alone went from nDCG@10 0.865 to 0.892, and a centroid of other needs does nearly as well).

Text signals are normalised per need before fusion: each becomes a z-score against the need's own mean and spread
over a fixed reference sample of offers. Needs differ in how wordy and how typical they are (one need's cosines all
sit near 0.85, another's near 0.78); z-scores make one set of weights mean the same for both and transfer across
corpora. The statistics depend only on the need, so a pair scores the same from either side and in an event.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import pickle
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np

from matchmaker.matching import signals as sig
from matchmaker.matching.docs import NeedDoc, OfferDoc, need_from_json
from matchmaker.matching.embedding import Embedder
from matchmaker.matching.fusion import (
    SIGNALS,
    TEXT_SIGNALS,
    Match,
    PairFacts,
    Weights,
    load_weights,
    reasons_for,
)
from matchmaker.matching.text import SEED_DIR, TextPipeline

#: Candidates taken from each first-stage signal before every signal is computed.
CANDIDATES_PER_SIGNAL = 120
#: Offers whose text matches a need best, used as that need's IPC profile (pseudo-relevance feedback).
IPC_PROFILE_OFFERS = 5
#: Offers against which each need's text signals are normalised (all of them when there are fewer).
REFERENCE_OFFERS = 256
#: Documents added since the last bm25s build are scored exactly one by one; past this many, rebuild.
MAX_UNBUILT = 2000
#: Title terms count this many times in an offer's keyword document: a title states the invention.
TITLE_REPEAT = 2
#: Bumped whenever the saved layout changes; an older save is refused (services then rebuild).
FORMAT_VERSION = 3
#: Typical needs written for the need centroid, so a platform with few needs still has a sensible one.
REFERENCE_NEEDS_PATH = SEED_DIR / "reference_needs.jsonl"
#: Up to this many needs the centroid follows the needs by itself (recomputed whenever their number has changed by
#: half since, re-normalising every need: cheap at this size); beyond, it is refreshed by a reindex.
CENTROID_AUTO_LIMIT = 2000

#: Columns of the signal arrays: text signals first (``SIGNALS`` starts with them), the cosines among them.
_TEXT = len(TEXT_SIGNALS)
_COSINES = [TEXT_SIGNALS.index(name) for name in ("semantic", "semantic_claims", "semantic_query", "passage")]


@dataclass
class AnalyzedOffer:
    doc: OfferDoc
    title_text: str  # canonical title terms joined by spaces (what the title signal compares)
    surface_by_key: dict[str, str]
    term_ids: np.ndarray  # distinct vocabulary ids of the keyword document
    term_counts: np.ndarray  # their counts
    passage_vectors: np.ndarray
    ipc_levels: tuple[tuple[str, str], ...]  # (main group, subclass) of each IPC code


@dataclass
class AnalyzedNeed:
    doc: NeedDoc
    keys: list[str]
    key_ids: np.ndarray  # distinct vocabulary ids of the need's keys
    title_text: str  # distinct canonical terms joined by spaces
    surface_by_key: dict[str, str]
    wanted_trl: int | None
    doc_vector: np.ndarray  # as embedded; compared with offers after centring (``MatchIndex._centred``)
    passage_vectors: np.ndarray
    ipc_profile: dict[str, float] = field(default_factory=dict)
    #: what the need asks for: appearance, process or product (``signals.PatentKinds``)
    aspect: str = "product"
    text_mean: np.ndarray = field(default_factory=lambda: np.zeros(len(TEXT_SIGNALS)))
    text_std: np.ndarray = field(default_factory=lambda: np.ones(len(TEXT_SIGNALS)))


@dataclass(frozen=True)
class OfferTexts:
    """What is read and embedded of an offer, boilerplate and names removed."""

    keyword: str  # BM25 document: title twice, abstract, claims
    document: str  # title + abstract (the ``semantic`` view, also used for candidates)
    with_claims: str  # title + abstract + claim 1 (the ``semantic_claims`` view)
    passages: list[str]


def offer_texts(pipeline: TextPipeline, offer: OfferDoc) -> OfferTexts:
    abstract = pipeline.clean(offer.abstract)
    claims = pipeline.clean(offer.claims)
    title = pipeline.strip_names(offer.title)
    document = f"{title}。{abstract}"
    passages = [title, *pipeline.passages(abstract), *pipeline.passages(claims)]
    return OfferTexts(
        keyword="。".join([title] * TITLE_REPEAT + [abstract, claims]),
        document=document,
        with_claims=f"{document}。{claims}" if claims else document,
        passages=[p for p in passages if p],
    )


def need_texts(pipeline: TextPipeline, need: NeedDoc) -> tuple[str, str, list[str]]:
    """(keyword text, query text to embed, passages to embed) of a need.

    The query names the expected outcome too (样机, 工艺包, 配方): it says what kind of invention would help and
    moved the held-out nDCG@10 of the embeddings alone from 0.854 to 0.865 on the dev set.
    """
    description = pipeline.clean(need.description)
    title = pipeline.strip_names(need.title)
    passages = [title, *pipeline.passages(description)]
    text = f"{title}。{description}"
    outcome = f"。期望成果：{need.expected_outcome}" if need.expected_outcome else ""
    return text, text + outcome + bridged_suffix(pipeline, text), [p for p in passages if p]


def bridged_suffix(pipeline: TextPipeline, text: str) -> str:
    """The canonical words of the need's everyday terms, appended before embedding.

    An engineer writes 电芯 and 鼓包 where a patent writes 锂离子电池 and 产气; the synonym groups know that, the
    embedding model only partly does. Naming the canonical words next to the engineer's text moves the need's
    vector toward the patent language (measured: MRR@10 of the embedding alone 0.915 → 0.930 on the dev set).
    """
    bridged = dict.fromkeys(t.key for t in pipeline.terms(text) if t.key != t.surface.lower())
    return "。" + "、".join(bridged) if bridged else ""


class _KeywordSide:
    """One side's keyword statistics plus a bm25s index of the documents present at its last build."""

    def __init__(self) -> None:
        self.stats = sig.KeywordStats()
        self.retriever: bm25s.BM25 | None = None
        self.built_ids: list[str] = []
        self.unbuilt: set[str] = set()

    def add(self, doc_id: str, keys: list[str]) -> None:
        self.stats.add(doc_id, keys)
        self.unbuilt.add(doc_id)

    def remove(self, doc_id: str) -> None:
        self.stats.remove(doc_id)
        self.unbuilt.discard(doc_id)

    def build(self) -> None:
        ids = list(self.stats.tf)
        corpus = [[key for key, n in self.stats.tf[i].items() for _ in range(n)] or [""] for i in ids]
        retriever = bm25s.BM25(k1=sig.BM25_K1, b=sig.BM25_B)
        if ids:
            retriever.index(corpus, show_progress=False)
        self.retriever, self.built_ids, self.unbuilt = retriever, ids, set()

    def top(self, query_keys: Sequence[str], k: int) -> list[str]:
        """Ids of the ``k`` best documents by BM25 (current documents only)."""
        if len(self.unbuilt) > MAX_UNBUILT or (self.retriever is None and self.stats.tf):
            self.build()
        scored: list[tuple[float, str]] = []
        if self.retriever is not None and self.built_ids:
            vocab = self.retriever.vocab_dict
            query = [key for key in dict.fromkeys(query_keys) if key in vocab]
            if query:
                scores = self.retriever.get_scores(query)
                take = min(k + len(self.unbuilt), len(scores))
                order = np.argpartition(-scores, take - 1)[:take]
                scored = [
                    (float(scores[i]), self.built_ids[i])
                    for i in order
                    if scores[i] > 0
                    and self.built_ids[i] in self.stats.tf
                    and self.built_ids[i] not in self.unbuilt
                ]
        if self.unbuilt:
            weights = self.stats.query_weights(query_keys)
            bound = sum(weights.values()) or 1.0
            scored += [(self.stats.bm25(weights, i)[0] * bound, i) for i in self.unbuilt]
        scored.sort(reverse=True)
        return [doc_id for _, doc_id in scored[:k]]


class _Vectors:
    """Vectors of one side and one view in one matrix (rows of removed documents are zeroed and masked)."""

    def __init__(self, dtype: type = np.float32) -> None:
        self.dtype = dtype
        self.matrix: np.ndarray = np.zeros((0, 0), dtype=dtype)
        self.ids: list[str] = []
        self.row: dict[str, int] = {}
        self.size = 0

    def put(self, doc_id: str, vector: np.ndarray) -> None:
        if doc_id in self.row:
            self.matrix[self.row[doc_id]] = vector
            return
        if self.matrix.shape[1] != vector.shape[0]:
            self.matrix = np.zeros((0, vector.shape[0]), dtype=self.dtype)
        if self.size == self.matrix.shape[0]:
            grown: np.ndarray = np.zeros((max(16, 2 * self.size), vector.shape[0]), dtype=self.dtype)
            grown[: self.size] = self.matrix[: self.size]
            self.matrix = grown
        self.matrix[self.size] = vector
        self.ids.append(doc_id)
        self.row[doc_id] = self.size
        self.size += 1

    def remove(self, doc_id: str) -> None:
        row = self.row.pop(doc_id, None)
        if row is not None:
            self.matrix[row] = 0.0

    def rows(self, doc_ids: Sequence[str]) -> np.ndarray:
        return self.matrix[[self.row[i] for i in doc_ids]].astype(np.float32)

    def top(self, vector: np.ndarray, k: int) -> list[str]:
        if not self.row:
            return []
        scores = self.matrix[: self.size] @ vector
        k = min(k, self.size)
        order = np.argpartition(-scores, k - 1)[:k]
        return [self.ids[i] for i in order[np.argsort(-scores[order])] if self.ids[i] in self.row]


class _Vocabulary:
    """Canonical keys as integer ids, and the offer-side document frequency of each id (for BM25 idf)."""

    def __init__(self) -> None:
        self.id_by_key: dict[str, int] = {}
        self.df = np.zeros(0, dtype=np.int32)

    def ids(self, keys: Iterable[str], grow: bool = True) -> np.ndarray:
        out = []
        for key in keys:
            i = self.id_by_key.get(key)
            if i is None:
                if not grow:
                    continue
                i = self.id_by_key[key] = len(self.id_by_key)
            out.append(i)
        if len(self.id_by_key) > self.df.shape[0]:
            self.df = np.concatenate([self.df, np.zeros(max(1024, len(self.id_by_key)), dtype=np.int32)])
        return np.array(out, dtype=np.int32)


def _surfaces(pipeline: TextPipeline, text: str) -> tuple[list[str], dict[str, str]]:
    keys: list[str] = []
    surface_by_key: dict[str, str] = {}
    for term in pipeline.terms(text):
        keys.append(term.key)
        surface_by_key.setdefault(term.key, term.surface)
    return keys, surface_by_key


def _ipc_levels(codes: Sequence[str]) -> tuple[tuple[str, str], ...]:
    parsed = (sig.parse_ipc(code) for code in codes)
    return tuple((p.group, p.subclass) for p in parsed if p is not None)


def _ipc_level(levels: tuple[tuple[str, str], ...], profile: dict[str, float]) -> str:
    """The level (group, else subclass) at which an offer's IPC agrees best with a need's profile, for reasons."""
    best, best_level = 0.0, ""
    for group, subclass in levels:
        for level, factor in ((group, 1.0), (subclass, 0.5)):
            if profile.get(level, 0.0) * factor > best:
                best, best_level = profile[level] * factor, level
    return best_level


def _stable_rank(doc_id: str) -> bytes:
    """A fixed pseudo-random order of offers, so the reference sample does not depend on insertion order."""
    return hashlib.blake2b(doc_id.encode(), digest_size=8).digest()


class MatchIndex:
    """Offers and needs, analysed and embedded once; top-k in both directions and all pairs of an event."""

    def __init__(
        self,
        embedder: Embedder,
        weights: Weights | None = None,
        pipeline: TextPipeline | None = None,
        readiness_path: Path = SEED_DIR / "readiness.json",
    ) -> None:
        self.embedder = embedder
        self.weights = weights or load_weights()
        self.pipeline = pipeline or TextPipeline()
        self.patent_kinds = sig.load_patent_kinds(SEED_DIR / "patent_kinds.json")
        self.readiness_by_word: dict[str, int] = json.loads(readiness_path.read_text(encoding="utf-8"))[
            "trl_by_word"
        ]
        self.offers: dict[str, AnalyzedOffer] = {}
        self.needs: dict[str, AnalyzedNeed] = {}
        self._vocabulary = _Vocabulary()
        self._offer_total_terms = 0
        self._offer_keywords = _KeywordSide()
        self._need_keywords = _KeywordSide()
        self._offer_vectors = _Vectors()
        self._offer_claim_vectors = _Vectors(np.float16)
        self._offer_query_vectors = _Vectors(np.float16)
        self._need_vectors = _Vectors()
        self._reference_vectors: np.ndarray | None = None
        self._need_centroid: np.ndarray | None = None
        self._centroid_needs = 0  # how many needs the centroid was computed from

    # ---- keeping current -------------------------------------------------------------------------------------

    def add_offers(self, offers: Sequence[OfferDoc]) -> None:
        """Add or replace offers (published or edited); embeds only texts never embedded before."""
        self.pipeline.exclude_names(o.institution for o in offers)
        texts = [offer_texts(self.pipeline, o) for o in offers]
        documents = self.embedder.passage([t.document for t in texts])
        with_claims = self.embedder.passage([t.with_claims for t in texts])
        as_queries = self.embedder.query([t.document for t in texts])
        passage_vectors = self.embedder.passage([p for t in texts for p in t.passages])
        start = 0
        for i, (offer, text) in enumerate(zip(offers, texts, strict=True)):
            self.remove_offer(offer.id)
            keys, surface_by_key = _surfaces(self.pipeline, text.keyword)
            ids, counts = np.unique(self._vocabulary.ids(keys), return_counts=True)
            self._vocabulary.df[ids] += 1
            self._offer_total_terms += len(keys)
            self.offers[offer.id] = AnalyzedOffer(
                doc=offer,
                title_text=" ".join(
                    dict.fromkeys(self.pipeline.keys(self.pipeline.strip_names(offer.title)))
                ),
                surface_by_key=surface_by_key,
                term_ids=ids.astype(np.int32),
                term_counts=counts.astype(np.float32),
                passage_vectors=passage_vectors[start : start + len(text.passages)].astype(np.float16),
                ipc_levels=_ipc_levels(offer.ipc),
            )
            start += len(text.passages)
            self._offer_keywords.add(offer.id, keys)
            self._offer_vectors.put(offer.id, documents[i])
            self._offer_claim_vectors.put(offer.id, with_claims[i])
            self._offer_query_vectors.put(offer.id, as_queries[i])

    def add_needs(self, needs: Sequence[NeedDoc], *, profile: bool = True) -> None:
        """Add or replace needs; each need's IPC profile and normalisation come from the offers present now.

        ``profile=False`` leaves that to one :meth:`refresh_profiles` once every batch of a full build is in: the
        centroid moves with each batch, so profiling batch by batch would be computed again at the end.
        """
        self.pipeline.exclude_names(n.company for n in needs)
        texts = [need_texts(self.pipeline, n) for n in needs]
        doc_vectors = self.embedder.query([t[1] for t in texts])
        passage_vectors = self.embedder.query([p for t in texts for p in t[2]])
        start = 0
        for need, (keyword_text, _doc, passages), doc_vector in zip(needs, texts, doc_vectors, strict=True):
            keys, surface_by_key = _surfaces(self.pipeline, keyword_text)
            self.needs[need.id] = AnalyzedNeed(
                doc=need,
                keys=keys,
                key_ids=np.unique(self._vocabulary.ids(keys)),
                title_text=" ".join(dict.fromkeys(keys)),
                surface_by_key=surface_by_key,
                wanted_trl=sig.wanted_trl(need.expected_outcome, self.readiness_by_word),
                aspect=self.patent_kinds.aspect(f"{need.title}。{need.description}。{need.expected_outcome}"),
                doc_vector=doc_vector,
                passage_vectors=passage_vectors[start : start + len(passages)].astype(np.float16),
            )
            start += len(passages)
            self._need_keywords.add(need.id, keys)
            self._need_vectors.put(need.id, doc_vector)
        if not profile:
            return
        if self._follow_centroid():
            self.refresh_profiles()
        else:
            self._profiles([self.needs[n.id] for n in needs])

    def remove_offer(self, offer_id: str) -> None:
        """Withdrawn, converted or deleted: never suggested again."""
        old = self.offers.pop(offer_id, None)
        if old is not None:
            self._vocabulary.df[old.term_ids] -= 1
            self._offer_total_terms -= int(old.term_counts.sum())
        self._offer_keywords.remove(offer_id)
        for table in (self._offer_vectors, self._offer_claim_vectors, self._offer_query_vectors):
            table.remove(offer_id)

    def remove_need(self, need_id: str) -> None:
        self.needs.pop(need_id, None)
        self._need_keywords.remove(need_id)
        self._need_vectors.remove(need_id)
        if self._follow_centroid():
            self.refresh_profiles()

    def refresh_profiles(self) -> None:
        """Recompute the need centroid, then every need's IPC profile and normalisation against the current offers
        (part of a reindex)."""
        self._need_centroid = self._compute_centroid()
        self._profiles(list(self.needs.values()))

    # ---- the need centroid -----------------------------------------------------------------------------------

    def _compute_centroid(self) -> np.ndarray:
        """Mean of the current needs' vectors and the reference needs' (which alone serve an empty platform)."""
        if self._reference_vectors is None:
            rows = REFERENCE_NEEDS_PATH.read_text(encoding="utf-8").splitlines()
            references = [
                need_from_json({"id": f"reference-{i}", **json.loads(r)}) for i, r in enumerate(rows) if r
            ]
            self._reference_vectors = self.embedder.query(
                [need_texts(self.pipeline, n)[1] for n in references]
            )
        vectors = [self._reference_vectors, *(n.doc_vector[None, :] for n in self.needs.values())]
        self._centroid_needs = len(self.needs)
        centroid: np.ndarray = np.concatenate(vectors).astype(np.float32).mean(axis=0)
        return centroid

    def _follow_centroid(self) -> bool:
        """Whether the needs have changed enough (by half, while few) that the centroid is recomputed now; one
        not yet computed is computed when first used, from the needs present then."""
        n, then = len(self.needs), self._centroid_needs
        return (
            self._need_centroid is not None
            and n <= CENTROID_AUTO_LIMIT
            and not then * 2 / 3 <= n <= then * 1.5
        )

    def _centroid(self) -> np.ndarray:
        if self._need_centroid is None:
            self._need_centroid = self._compute_centroid()
        return self._need_centroid

    def _centred(self, need_vectors: np.ndarray) -> np.ndarray:
        centred: np.ndarray = need_vectors.astype(np.float32) - self._centroid()
        return centred

    # ---- signals ---------------------------------------------------------------------------------------------

    def _profiles(self, needs: Sequence[AnalyzedNeed]) -> None:
        """IPC profiles, then the mean and spread of each text signal over the reference offers, batched."""
        self._ipc_profiles(needs)
        reference = [self.offers[i] for i in heapq.nsmallest(REFERENCE_OFFERS, self.offers, key=_stable_rank)]
        for start in range(0, len(needs), 256):
            chunk = needs[start : start + 256]
            if not reference:
                for need in chunk:
                    need.text_mean = np.zeros(len(TEXT_SIGNALS))
                    need.text_std = np.ones(len(TEXT_SIGNALS))
                continue
            raw, _shifts = self._text_block(chunk, reference)  # needs × offers × text signals
            means, stds = raw.mean(axis=1), raw.std(axis=1)
            for need, mean, std in zip(chunk, means, stds, strict=True):
                need.text_mean = mean
                need.text_std = np.where(std > 1e-6, std, 1.0)

    def _ipc_profiles(self, needs: Sequence[AnalyzedNeed]) -> None:
        """Each need's IPC profile from the offers closest to it in meaning, batched (one matrix product).

        Semantic closeness alone picks the offers: it is the strongest single signal and, unlike the fused score,
        costs one product for thousands of needs at once.
        """
        table = self._offer_vectors
        if not table.row or not needs:
            for need in needs:
                need.ipc_profile = {}
            return
        matrix = table.matrix[: table.size]
        alive = np.array([doc_id in table.row for doc_id in table.ids])
        k = min(IPC_PROFILE_OFFERS, int(alive.sum()))
        for start in range(0, len(needs), 128):  # 128 needs × 100,000 offers of scores and indices ≈ 150 MB
            chunk = needs[start : start + 128]
            scores = self._centred(np.stack([n.doc_vector for n in chunk])) @ matrix.T
            scores[:, ~alive] = -np.inf
            top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
            for need, rows, row_scores in zip(chunk, top, scores, strict=True):
                need.ipc_profile = sig.ipc_profile(
                    (self.offers[table.ids[r]].doc.ipc, max(float(row_scores[r]), 0.0)) for r in rows
                )

    def _bm25_block(self, needs: Sequence[AnalyzedNeed], offers: Sequence[AnalyzedOffer]) -> np.ndarray:
        """BM25 of every need × offer divided by each need's upper bound Σ idf, as one matrix product: needs ×
        the block's terms (0/1) times the offers' per-term gains (idf × saturated term frequency).

        Same formula as :meth:`KeywordStats.bm25` (Lucene idf, k1 1.5, b 0.75), with term frequencies of the offers
        and document frequencies of all current offers.
        """
        df_all = self._vocabulary.df
        n_docs = max(len(self.offers), 1)
        out = np.zeros((len(needs), len(offers)))
        sizes = np.array([o.term_ids.shape[0] for o in offers])
        need_sizes = np.array([n.key_ids.shape[0] for n in needs])
        if not sizes.sum() or not need_sizes.sum():
            return out
        average = max(self._offer_total_terms / n_docs, 1e-9)
        lengths = np.array([o.term_counts.sum() for o in offers])
        term_ids = np.concatenate([o.term_ids for o in offers])
        counts = np.concatenate([o.term_counts for o in offers])
        norm = np.repeat(sig.BM25_K1 * (1.0 - sig.BM25_B + sig.BM25_B * lengths / average), sizes)
        df = df_all[term_ids]
        gain = np.log1p((n_docs - df + 0.5) / (df + 0.5)) * counts / (counts + norm)
        terms, column = np.unique(term_ids, return_inverse=True)
        gains = np.zeros((len(offers), terms.shape[0]))
        gains[np.repeat(np.arange(len(offers)), sizes), column] = gain
        need_keys = np.concatenate([n.key_ids for n in needs])
        need_rows = np.repeat(np.arange(len(needs)), need_sizes)
        position = np.minimum(np.searchsorted(terms, need_keys), terms.shape[0] - 1)
        found = terms[position] == need_keys
        members = np.zeros((len(needs), terms.shape[0]))
        members[need_rows[found], position[found]] = 1.0
        need_df = df_all[need_keys]
        bounds = np.bincount(need_rows, np.log1p((n_docs - need_df + 0.5) / (need_df + 0.5)), len(needs))
        return (members @ gains.T) / np.where(bounds > 0, bounds, 1.0)[:, None]

    def _passage_block(self, needs: Sequence[AnalyzedNeed], offers: Sequence[AnalyzedOffer]) -> np.ndarray:
        """:func:`signals.passage_similarity` (best two sentence pairs) of every need × offer: one product of all
        need passages with all offer passages, a segment maximum per offer, the top two per need."""
        out = np.zeros((len(needs), len(offers)))
        sizes = np.array([o.passage_vectors.shape[0] for o in offers])
        need_sizes = np.array([n.passage_vectors.shape[0] for n in needs])
        if not sizes.sum() or not need_sizes.sum():
            return out
        offer_passages = np.concatenate([o.passage_vectors for o in offers]).astype(np.float32)
        need_passages = np.concatenate([n.passage_vectors for n in needs]).astype(np.float32)
        present = sizes > 0
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))[present]
        best = np.maximum.reduceat(need_passages @ offer_passages.T, starts, axis=1)  # need passages × offers
        rows = np.repeat(np.arange(len(needs)), need_sizes)
        slot = np.arange(need_passages.shape[0]) - np.repeat(np.cumsum(need_sizes) - need_sizes, need_sizes)
        padded = np.full((len(needs), int(need_sizes.max()), best.shape[1]), -np.inf, dtype=np.float32)
        padded[rows, slot] = best
        padded.sort(axis=1)
        first = padded[:, -1]
        second = padded[:, -2] if padded.shape[1] > 1 else first
        two = np.where((need_sizes > 1)[:, None], (first + second) / 2, first)
        out[:, present] = np.where((need_sizes > 0)[:, None], two, 0.0)
        return out

    def _text_block(
        self, needs: Sequence[AnalyzedNeed], offers: Sequence[AnalyzedOffer]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The text signals (``TEXT_SIGNALS`` order) of needs × offers as fused before normalisation — the three
        document cosines taken with the centred need vector — and, per offer and view, what centring took off
        (the centroid's cosine), which added back gives the plain cosine people see."""
        ids = [o.doc.id for o in offers]
        centred = self._centred(np.stack([n.doc_vector for n in needs]))
        out = np.zeros((len(needs), len(offers), len(TEXT_SIGNALS)))
        shifts = np.zeros((len(offers), 3))
        out[:, :, 0] = self._bm25_block(needs, offers)
        for column, table in enumerate(
            (self._offer_vectors, self._offer_claim_vectors, self._offer_query_vectors)
        ):
            rows = table.rows(ids)
            out[:, :, 1 + column] = centred @ rows.T
            shifts[:, column] = rows @ self._centroid()
        out[:, :, 4] = self._passage_block(needs, offers)
        out[:, :, 5] = sig.title_similarities([n.title_text for n in needs], [o.title_text for o in offers])
        return out, shifts

    def _structured(self, need: AnalyzedNeed, offer: AnalyzedOffer) -> tuple[float, ...]:
        """The ``STRUCTURED_SIGNALS`` of one pair (IPC levels parsed once per offer, not per pair)."""
        o, n = offer.doc, need.doc
        profile = need.ipc_profile
        return (
            sig.field_agreement(n.field, o.field),
            max(
                (max(profile.get(g, 0.0), 0.5 * profile.get(s, 0.0)) for g, s in offer.ipc_levels),
                default=0.0,
            ),
            sig.price_fit(o.price_wan, n.budget_min_wan, n.budget_max_wan),
            sig.readiness_fit(o.trl, need.wanted_trl),
            sig.mode_fit(o.transfer_modes, n.coop_modes),
            sig.legal_fit(o.legal_status),
            self.patent_kinds.kind_fit(o.patent_type, need.aspect),
        )

    def signal_block(
        self, needs: Sequence[AnalyzedNeed], offers: Sequence[AnalyzedOffer]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every signal of needs × offers, raw (each in [0, 1], what people see) and as fused (text signals as
        z-scores against each need's reference statistics); both ``needs × offers × SIGNALS``."""
        raw = np.zeros((len(needs), len(offers), len(SIGNALS)))
        if not needs or not offers:
            return raw, raw.copy()
        text, shifts = self._text_block(needs, offers)
        w = self.weights
        raw[:, :, :_TEXT] = text
        raw[:, :, 1:4] += shifts[None, :, :]
        raw[:, :, _COSINES] = sig.calibrate_cosine(raw[:, :, _COSINES], w.cosine_floor, w.cosine_ceiling)
        for r, need in enumerate(needs):
            raw[r, :, _TEXT:] = [self._structured(need, offer) for offer in offers]
        fused = raw.copy()
        means = np.stack([n.text_mean for n in needs])[:, None, :]
        stds = np.stack([n.text_std for n in needs])[:, None, :]
        fused[:, :, :_TEXT] = (text - means) / stds
        return raw, fused

    def semantic_cosines(self, need_ids: Sequence[str], offer_ids: Sequence[str]) -> np.ndarray:
        """Plain cosines of needs × offers in the title + abstract view: what 语义相近度 shows, before the band."""
        needs = np.stack([self.needs[i].doc_vector for i in need_ids]).astype(np.float32)
        cosines: np.ndarray = needs @ self._offer_vectors.rows(offer_ids).T
        return cosines

    def pair_signals(self, need: AnalyzedNeed, offers: Sequence[AnalyzedOffer]) -> list[dict[str, float]]:
        """Every raw signal for one need against several offers, by name."""
        raw, _ = self.signal_block([need], offers)
        return [dict(zip(SIGNALS, row.tolist(), strict=True)) for row in raw[0]]

    def _match(
        self, need: AnalyzedNeed, offer: AnalyzedOffer, raw: np.ndarray, fused: np.ndarray, best: float
    ) -> Match:
        """One pair as shown; ``best`` is the fused value of the first pair of the list it is shown in (the
        confidence reads how far the pair trails it)."""
        counts = self._offer_keywords.stats.tf.get(offer.doc.id) or Counter()
        df = self._vocabulary.df
        id_by_key = self._vocabulary.id_by_key
        matched = sorted(
            (k for k in dict.fromkeys(need.keys) if k in counts), key=lambda key: df[id_by_key[key]]
        )
        shared = tuple((need.surface_by_key.get(k, k), offer.surface_by_key.get(k, k)) for k in matched)
        values = dict(zip(SIGNALS, raw.tolist(), strict=True))
        value = float(fused @ self.weights.vector())
        confidence = self.weights.confidence(value, best)
        facts = PairFacts(
            shared_terms=shared,
            semantic_percent=round(100 * values["semantic"]),
            need_field=need.doc.field,
            offer_field=offer.doc.field,
            ipc_level=_ipc_level(offer.ipc_levels, need.ipc_profile),
            price_wan=offer.doc.price_wan,
            budget_max_wan=need.doc.budget_max_wan,
            trl=offer.doc.trl,
            wanted_trl=need.wanted_trl,
            legal_status=offer.doc.legal_status,
            mode_ok=values["mode"],
            patent_type=offer.doc.patent_type,
            aspect=need.aspect,
            kind_fit=values["kind"],
        )
        return Match(
            need_id=need.doc.id,
            offer_id=offer.doc.id,
            score=self.weights.display_score(value),
            confidence=confidence,
            # a lapsed patent is free to use, not an offer to license; a type that cannot protect what the need
            # asks for is no strong match whatever its words
            strong=confidence >= self.weights.strong_confidence
            and offer.doc.legal_status != "失效"
            and values["kind"] >= 1.0,
            signals=values,
            reasons=reasons_for(facts),
        )

    # ---- ranking ---------------------------------------------------------------------------------------------

    def _offer_candidates(self, need: AnalyzedNeed) -> list[AnalyzedOffer]:
        if len(self.offers) <= 2 * CANDIDATES_PER_SIGNAL:
            return list(self.offers.values())
        ids = self._offer_keywords.top(need.keys, CANDIDATES_PER_SIGNAL)
        ids += self._offer_vectors.top(self._centred(need.doc_vector), CANDIDATES_PER_SIGNAL)
        return [self.offers[i] for i in dict.fromkeys(ids) if i in self.offers]

    def _need_candidates(self, offer: AnalyzedOffer) -> list[AnalyzedNeed]:
        if len(self.needs) <= 2 * CANDIDATES_PER_SIGNAL:
            return list(self.needs.values())
        keys = list(self._offer_keywords.stats.tf[offer.doc.id].elements())
        ids = self._need_keywords.top(keys, CANDIDATES_PER_SIGNAL)
        ids += self._need_vectors.top(self._offer_vectors.rows([offer.doc.id])[0], CANDIDATES_PER_SIGNAL)
        return [self.needs[i] for i in dict.fromkeys(ids) if i in self.needs]

    def _order(
        self, raw: np.ndarray, fused: np.ndarray, ids: Sequence[str], signal: str | None
    ) -> np.ndarray:
        key = fused @ self.weights.vector() if signal is None else raw[:, SIGNALS.index(signal)]
        return np.lexsort((np.array(ids), -key))

    def rank_offers(self, need_id: str, k: int = 10, signal: str | None = None) -> list[Match]:
        """The ``k`` offers that could solve a need, best first (by one raw ``signal`` alone when given)."""
        need = self.needs[need_id]
        candidates = self._offer_candidates(need)
        raw, fused = self.signal_block([need], candidates)
        order = self._order(raw[0], fused[0], [o.doc.id for o in candidates], signal)[:k]
        best = self._best(fused[0])
        return [self._match(need, candidates[i], raw[0, i], fused[0, i], best) for i in order]

    def analyse_query(self, text: str) -> AnalyzedNeed:
        """A search query read as a need that is not stored: same pipeline, embeddings and normalisation, so a
        plain description is ranked exactly as the same words posted as a need would be."""
        doc = NeedDoc(id="", title="", description=text)
        keyword_text, query_text, passages = need_texts(self.pipeline, doc)
        keys, surface_by_key = _surfaces(self.pipeline, keyword_text)
        need = AnalyzedNeed(
            doc=doc,
            keys=keys,
            key_ids=np.unique(self._vocabulary.ids(keys, grow=False)),
            title_text=" ".join(dict.fromkeys(keys)),
            surface_by_key=surface_by_key,
            wanted_trl=None,
            aspect=self.patent_kinds.aspect(text),
            doc_vector=self.embedder.query([query_text])[0],
            passage_vectors=self.embedder.query(passages or [query_text]).astype(np.float16),
        )
        self._profiles([need])
        return need

    def rank_query(self, need: AnalyzedNeed, k: int, also: Iterable[str] = ()) -> list[Match]:
        """Offers for a search query (from :meth:`analyse_query`), best first: the index's own candidates plus
        ``also`` (a keyword backend's hits), ranked by the fused score exactly as for a need."""
        candidates = self._offer_candidates(need)
        known = {o.doc.id for o in candidates}
        candidates += [self.offers[i] for i in dict.fromkeys(also) if i in self.offers and i not in known]
        if not candidates:
            return []
        raw, fused = self.signal_block([need], candidates)
        order = self._order(raw[0], fused[0], [o.doc.id for o in candidates], None)[:k]
        best = self._best(fused[0])
        return [self._match(need, candidates[i], raw[0, i], fused[0, i], best) for i in order]

    def offer_vector(self, offer_id: str) -> np.ndarray | None:
        """An offer's title + abstract vector (what a vector-searching backend stores), if indexed."""
        return self._offer_vectors.rows([offer_id])[0] if offer_id in self.offers else None

    def rank_needs(self, offer_id: str, k: int = 10, signal: str | None = None) -> list[Match]:
        """The ``k`` needs an offer could serve, best first, scored exactly as the other direction."""
        offer = self.offers[offer_id]
        candidates = self._need_candidates(offer)
        raw, fused = self.signal_block(candidates, [offer])
        order = self._order(raw[:, 0], fused[:, 0], [n.doc.id for n in candidates], signal)[:k]
        best = self._best(fused[:, 0])
        return [self._match(candidates[i], offer, raw[i, 0], fused[i, 0], best) for i in order]

    def _best(self, fused: np.ndarray) -> float:
        """The highest fused value among a list's candidates (its first pair)."""
        return float((fused @ self.weights.vector()).max()) if len(fused) else 0.0

    def pairs(self, need_ids: Iterable[str], offer_ids: Iterable[str], threshold: float) -> list[Match]:
        """Every pair of an event scoring at least ``threshold``, best first (one block of array operations)."""
        offers = [self.offers[i] for i in offer_ids if i in self.offers]
        needs = [self.needs[i] for i in need_ids if i in self.needs]
        raw, fused = self.signal_block(needs, offers)
        values = fused @ self.weights.vector()
        scores = self.weights.display_scores(values)
        rows, columns = np.nonzero(scores >= threshold)
        best = values.max(axis=1) if values.size else values
        out = [
            self._match(needs[r], offers[c], raw[r, c], fused[r, c], float(best[r]))
            for r, c in zip(rows, columns, strict=True)
        ]
        out.sort(key=lambda m: (-m.score, m.need_id, m.offer_id))
        return out

    # ---- persistence -----------------------------------------------------------------------------------------

    def save(self, directory: str | Path) -> None:
        """Write everything computed (analyses, vectors, bm25s indexes) so that :meth:`load` recomputes nothing."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for side in (self._offer_keywords, self._need_keywords):
            if side.unbuilt or side.retriever is None:
                side.build()
        state = {
            "format": FORMAT_VERSION,
            "model_id": self.embedder.model_id,
            "excluded": self.pipeline._excluded,
            **{name: getattr(self, attribute) for name, attribute in _SAVED.items()},
        }
        tmp = path / "index.pickle.tmp"
        with tmp.open("wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path / "index.pickle")

    @classmethod
    def load(cls, directory: str | Path, embedder: Embedder, weights: Weights | None = None) -> MatchIndex:
        """Restore a saved index; refuses one built with another embedding model or an older layout (ValueError:
        its vectors would not compare, or it lacks what this version computes — rebuild it)."""
        with (Path(directory) / "index.pickle").open("rb") as f:
            state = pickle.load(f)
        if state.get("format") != FORMAT_VERSION:
            raise ValueError(f"index was saved in layout {state.get('format')}, not {FORMAT_VERSION}")
        if state["model_id"] != embedder.model_id:
            raise ValueError(f"index was built with {state['model_id']}, not {embedder.model_id}")
        index = cls(embedder, weights)
        for name, attribute in _SAVED.items():
            setattr(index, attribute, state[name])
        index.pipeline.exclude_names(state["excluded"])
        return index


#: What :meth:`MatchIndex.save` writes: saved name → attribute.
_SAVED = {
    "offers": "offers",
    "needs": "needs",
    "vocabulary": "_vocabulary",
    "offer_total_terms": "_offer_total_terms",
    "offer_keywords": "_offer_keywords",
    "need_keywords": "_need_keywords",
    "offer_vectors": "_offer_vectors",
    "offer_claim_vectors": "_offer_claim_vectors",
    "offer_query_vectors": "_offer_query_vectors",
    "need_vectors": "_need_vectors",
    "reference_vectors": "_reference_vectors",
    "need_centroid": "_need_centroid",
    "centroid_needs": "_centroid_needs",
}
