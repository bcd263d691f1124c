"""In-process offer search: the matcher's text pipeline for segmentation and bm25s for ranking.

Documents are analysed once (title twice, then abstract, boilerplate removed, every term mapped to its synonym
group's canonical key) and their keys kept, so a rebuild never segments text again. Ranking is bm25s over all
documents built into its matrix; documents added or changed since that build are scored exactly with the same
BM25 formula and the built statistics, and stale rows are masked, so a single edit costs a few milliseconds and a
full rebuild only happens when many edits have piled up. Filters are numpy masks over per-document attribute
arrays, so a filtered search costs the same as an unfiltered one.

``save``/``load`` keep everything under one directory (``var/search/embedded``), so a restart reads the index
instead of segmenting every offer again.
"""

from __future__ import annotations

import math
import pickle
import shutil
from collections import Counter
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from matchmaker.matching.text import TextPipeline
from matchmaker.search import (
    NO_FILTERS,
    Hit,
    OfferDocument,
    OfferFilters,
    SearchResult,
    mark_words,
    snippet,
)

#: Title terms count this many times: a title states what the invention is.
TITLE_REPEAT = 2
BM25_K1 = 1.2
BM25_B = 0.75
#: Rebuild the matrix once this many documents (or this share of the index) are pending or stale.
REBUILD_AT_LEAST = 500
REBUILD_SHARE = 0.05
#: Bumped when the saved layout changes, so an old file is rebuilt rather than misread.
FORMAT = 1
_NONE = -1


@dataclass
class _Analysed:
    doc: OfferDocument
    keys: list[str]


class QueryTerms:
    """A query as the index understands it: canonical keys, and the words that count as a hit for each."""

    def __init__(self, pipeline: TextPipeline, query: str) -> None:
        terms = pipeline.terms(pipeline.clean(query))
        self.keys: list[str] = list(dict.fromkeys(t.key for t in terms))
        self.surfaces: tuple[str, ...] = tuple(dict.fromkeys(t.surface for t in terms))
        group = pipeline.lexicon.group_by_key
        words: set[str] = set(self.surfaces)
        for key in self.keys:
            words.update(group.get(key, (key,)))
        self.words = words


def split_unknown(key: str, vocab: Container[str]) -> list[str]:
    """A query word the index has never seen, split into the longest indexed words it is made of.

    People describe problems in compounds the patents do not use (隔热材料 where an offer says 隔热垫 and 材料);
    splitting lets such a word still count through its parts. Known words and unknown words of fewer than three
    characters are kept whole (a two-character word has no indexed parts worth trusting).
    """
    if key in vocab or len(key) < 3:
        return [key]
    parts: list[str] = []
    i = 0
    while i < len(key):
        for j in range(len(key), i + 1, -1):
            if key[i:j] in vocab:
                parts.append(key[i:j])
                i = j
                break
        else:
            i += 1
    return parts or [key]


class _Either:
    """Membership in either of two containers, without copying a 100,000-word vocabulary."""

    def __init__(self, first: Container[str], second: Container[str]) -> None:
        self.first, self.second = first, second

    def __contains__(self, key: object) -> bool:
        return key in self.first or key in self.second


class EmbeddedOfferSearch:
    name = "embedded"

    def __init__(self, pipeline: TextPipeline | None = None, directory: Path | None = None) -> None:
        self.pipeline = pipeline or TextPipeline()
        self.directory = directory
        self._docs: dict[int, _Analysed] = {}
        self._retriever: bm25s.BM25 | None = None
        self._built_ids: np.ndarray = np.zeros(0, dtype=np.int64)
        self._row_of: dict[int, int] = {}
        self._live = np.zeros(0, dtype=bool)  # built rows still current
        self._pending: set[int] = set()  # added or changed since the build
        self._df: Counter[str] = Counter()  # document frequencies of the build
        self._avg_len = 1.0
        self._attrs: dict[str, np.ndarray] = {}
        self._codes: dict[str, dict[str, int]] = {"field": {}, "patent_type": {}}
        self._dirty = False

    # --- keeping the index current -----------------------------------------------------------------------

    def analyse(self, doc: OfferDocument) -> list[str]:
        title = self.pipeline.strip_names(doc.title)
        return self.pipeline.keys(title) * TITLE_REPEAT + self.pipeline.keys(
            self.pipeline.clean(doc.abstract)
        )

    def index(self, docs: Iterable[OfferDocument]) -> None:
        for doc in docs:
            self._docs[doc.id] = _Analysed(doc, self.analyse(doc))
            self._stale(doc.id)
            self._pending.add(doc.id)
        self._dirty = True

    def remove(self, ids: Iterable[int]) -> None:
        for doc_id in ids:
            self._docs.pop(doc_id, None)
            self._pending.discard(doc_id)
            self._stale(doc_id)
        self._dirty = True

    def clear(self) -> None:
        self._docs.clear()
        self._pending.clear()
        self._build()
        self._dirty = True

    def versions(self) -> dict[int, str]:
        return {doc_id: a.doc.version for doc_id, a in self._docs.items()}

    def __len__(self) -> int:
        return len(self._docs)

    def _stale(self, doc_id: int) -> None:
        row = self._row_of.get(doc_id)
        if row is not None:
            self._live[row] = False

    def _needs_build(self) -> bool:
        stale = int(len(self._live) - self._live.sum()) if len(self._live) else 0
        waiting = len(self._pending) + stale
        return self._retriever is None or waiting >= max(REBUILD_AT_LEAST, REBUILD_SHARE * len(self._docs))

    def _build(self) -> None:
        ids = sorted(self._docs)
        corpus = [self._docs[i].keys or [""] for i in ids]
        retriever = bm25s.BM25(k1=BM25_K1, b=BM25_B, method="lucene")
        if ids:
            retriever.index(corpus, show_progress=False)
        self._retriever = retriever
        self._built_ids = np.array(ids, dtype=np.int64)
        self._row_of = {doc_id: row for row, doc_id in enumerate(ids)}
        self._live = np.ones(len(ids), dtype=bool)
        self._pending = set()
        self._df = Counter(key for i in ids for key in set(self._docs[i].keys))
        self._avg_len = (sum(len(self._docs[i].keys) for i in ids) / len(ids)) if ids else 1.0
        docs = [self._docs[i].doc for i in ids]
        self._attrs = {
            "field": np.array([self._code("field", d.field) for d in docs], dtype=np.int32),
            "patent_type": np.array([self._code("patent_type", d.patent_type) for d in docs], dtype=np.int32),
            "institution": np.array([d.institution_id for d in docs], dtype=np.int64),
            "trl": np.array([_NONE if d.trl is None else d.trl for d in docs], dtype=np.int32),
            "price": np.array([_NONE if d.price_wan is None else d.price_wan for d in docs], dtype=np.int64),
        }

    def _code(self, kind: str, value: str) -> int:
        codes = self._codes[kind]
        return codes.setdefault(value, len(codes))

    # --- searching -----------------------------------------------------------------------------------------

    def _mask(self, filters: OfferFilters) -> np.ndarray:
        mask = self._live.copy()
        if not filters.active or not len(mask):
            return mask
        a = self._attrs
        if filters.field:
            mask &= a["field"] == self._codes["field"].get(filters.field, -2)
        if filters.patent_type:
            mask &= a["patent_type"] == self._codes["patent_type"].get(filters.patent_type, -2)
        if filters.institution_id is not None:
            mask &= a["institution"] == filters.institution_id
        if filters.min_trl is not None:
            mask &= a["trl"] >= filters.min_trl
        if filters.max_price_wan is not None:
            mask &= (a["price"] == _NONE) | (a["price"] <= filters.max_price_wan)
        return mask

    def _pending_score(self, keys: Sequence[str], doc_keys: list[str]) -> float:
        """BM25 (Lucene variant, as bm25s computes it) with the build's statistics, so scores compare."""
        n = max(1, len(self._built_ids))
        counts = Counter(doc_keys)
        length_norm = BM25_K1 * (1 - BM25_B + BM25_B * len(doc_keys) / max(self._avg_len, 1e-9))
        score = 0.0
        for key in keys:
            tf = counts.get(key, 0)
            if tf:
                df = self._df.get(key, 0)
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                score += idf * tf * (BM25_K1 + 1) / (tf + length_norm)
        return score

    def search(
        self,
        query: str,
        filters: OfferFilters = NO_FILTERS,
        *,
        page: int = 1,
        per_page: int = 10,
        vector: Sequence[float] = (),
    ) -> SearchResult:
        if self._needs_build():
            self._build()
        assert self._retriever is not None
        terms = QueryTerms(self.pipeline, query)
        mask = self._mask(filters)
        pending = [self._docs[i] for i in self._pending if filters.accepts(self._docs[i].doc)]
        if not terms.keys:
            if query.strip():  # words we cannot search on: say so rather than list everything
                return SearchResult([], 0, 1, per_page, ())
            ids = sorted([int(i) for i in self._built_ids[mask]] + [a.doc.id for a in pending], reverse=True)
            ranked: list[tuple[float, int]] = [(0.0, i) for i in ids]
        else:
            ranked = self._ranked(terms, mask, pending)
        total = len(ranked)
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, page), pages)
        window = ranked[(page - 1) * per_page : page * per_page]
        hits = [self._hit(doc_id, score, terms) for score, doc_id in window]
        return SearchResult(hits, total, page, per_page, terms.surfaces)

    def _ranked(
        self, terms: QueryTerms, mask: np.ndarray, pending: list[_Analysed]
    ) -> list[tuple[float, int]]:
        assert self._retriever is not None
        scored: list[tuple[float, int]] = []
        vocab = self._retriever.vocab_dict if len(self._built_ids) else {}
        pending_keys = {k for a in pending for k in a.keys}
        seen = _Either(vocab, pending_keys)
        expanded = list(dict.fromkeys(k for key in terms.keys for k in split_unknown(key, seen)))
        terms.words.update(k for k in expanded if k not in terms.keys)
        known = [k for k in expanded if k in vocab]
        if known:
            scores = self._retriever.get_scores(known)
            rows = np.flatnonzero((scores > 0) & mask)
            # Sort by score, then by id descending for equal scores, so pages are stable.
            order = np.lexsort((-self._built_ids[rows], -scores[rows]))
            scored = [(float(scores[r]), int(self._built_ids[r])) for r in rows[order]]
        extra = [(self._pending_score(expanded, a.keys), a.doc.id) for a in pending]
        extra = [item for item in extra if item[0] > 0]
        if extra:
            scored = sorted(scored + extra, key=lambda item: (-item[0], -item[1]))
        return scored

    def _hit(self, doc_id: int, score: float, terms: QueryTerms) -> Hit:
        doc = self._docs[doc_id].doc
        words = self._matched_words(doc, terms)
        return Hit(
            id=doc_id,
            score=round(score, 4),
            title=mark_words(doc.title, words),
            snippet=snippet(mark_words(doc.abstract, words)),
        )

    @staticmethod
    def _matched_words(doc: OfferDocument, terms: QueryTerms) -> set[str]:
        """Query words and their synonyms that occur in this document. A plain text test: the document's keys
        already decided the ranking, and re-segmenting every shown hit would cost more than the search."""
        text = f"{doc.title}。{doc.abstract}".lower()
        return {w for w in terms.words if w.lower() in text}

    # --- persistence -----------------------------------------------------------------------------------------

    def flush(self) -> None:
        if self._dirty and self.directory is not None:
            self.save(self.directory)
        self._dirty = False

    def save(self, directory: Path) -> None:
        """Write the whole index (documents, their keys, the bm25s matrix) so :meth:`load` needs no segmentation."""
        if self._needs_build():
            self._build()
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        assert self._retriever is not None
        if len(self._built_ids):
            self._retriever.save(str(tmp / "bm25"), show_progress=False)
        state = {
            "format": FORMAT,
            "docs": self._docs,
            "built_ids": self._built_ids,
            "live": self._live,
            "pending": self._pending,
            "df": self._df,
            "avg_len": self._avg_len,
            "attrs": self._attrs,
            "codes": self._codes,
        }
        with open(tmp / "state.pickle", "wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        shutil.rmtree(directory, ignore_errors=True)
        tmp.rename(directory)

    def load(self, directory: Path) -> bool:
        """Read a saved index; False (and nothing changed) when there is none or it is of another format."""
        path = directory / "state.pickle"
        if not path.exists():
            return False
        try:
            with open(path, "rb") as fh:
                state = pickle.load(fh)
            if state.get("format") != FORMAT:
                return False
            built_ids = state["built_ids"]
            retriever = (
                bm25s.BM25.load(str(directory / "bm25"), show_progress=False)
                if len(built_ids)
                else bm25s.BM25(k1=BM25_K1, b=BM25_B, method="lucene")
            )
        except (OSError, pickle.UnpicklingError, EOFError, KeyError, ValueError):
            return False
        self._docs, self._built_ids, self._live = state["docs"], built_ids, state["live"]
        self._pending, self._df, self._avg_len = state["pending"], state["df"], state["avg_len"]
        self._attrs, self._codes = state["attrs"], state["codes"]
        self._row_of = {int(doc_id): row for row, doc_id in enumerate(built_ids)}
        self._retriever = retriever
        self._dirty = False
        return True
