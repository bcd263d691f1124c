"""Chinese text pipeline: boilerplate removal, segmentation with a domain dictionary, synonyms, stop words.

Needs are written in a factory engineer's words (电芯, 鼓包) and offers in patent language (锂离子电池, 产气), so
every term is mapped to the canonical word of its synonym group before it is compared; the surface form is
kept so that a reason can show the bridge (电芯≈锂离子电池). Patent boilerplate (本发明公开了一种…, 所述,
其特征在于) is removed first because it is shared by most offers and would make any two of them look alike.
All word lists are data in ``seed/matching/``; this module only applies them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jieba

SEED_DIR = Path(__file__).resolve().parents[2] / "seed" / "matching"

_SENTENCE_END = re.compile(r"[。；;！!？?\n]+")
_CLAUSE_END = re.compile(r"[，,：:]")
_ORG_NAME = re.compile(
    r"[\u4e00-\u9fa5A-Za-z（）()]{2,20}?(?:有限责任公司|股份有限公司|有限公司|研究院|研究所|大学|学院|校区)(?:（筹）)?"
)
_KEEP_TOKEN = re.compile(r"^(?:[\u4e00-\u9fa5]{2,}|[A-Za-z][A-Za-z0-9\-]{1,}|\d+[A-Za-z]+)$")

#: Sentences shorter than this are merged with the next one so that a passage carries a topic, not a fragment.
MIN_PASSAGE_CHARS = 12
#: Sentences longer than this are cut at clause boundaries so that one passage holds one idea.
MAX_PASSAGE_CHARS = 90


@dataclass(frozen=True)
class Term:
    """One topical term: what the text said (``surface``) and what it is compared as (``key``)."""

    surface: str
    key: str


@dataclass(frozen=True)
class Lexicon:
    """The data the pipeline applies, read from ``seed/matching/``."""

    words: tuple[str, ...]
    canonical_by_word: dict[str, str]
    stopwords: frozenset[str]
    boilerplate: tuple[re.Pattern[str], ...]
    group_by_key: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _read_lines(path: Path) -> list[str]:
    return [
        line.split()[0]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def load_lexicon(seed_dir: Path = SEED_DIR) -> Lexicon:
    """Read dictionary, synonym groups, stop words and boilerplate patterns from one directory."""
    groups = json.loads((seed_dir / "synonyms.json").read_text(encoding="utf-8"))["groups"]
    canonical_by_word: dict[str, str] = {}
    group_by_key: dict[str, tuple[str, ...]] = {}
    for group in groups:
        key = group[0].lower()
        group_by_key[key] = tuple(group)
        for word in group:
            canonical_by_word[word.lower()] = key
    patterns = json.loads((seed_dir / "boilerplate.json").read_text(encoding="utf-8"))["patterns"]
    words = _read_lines(seed_dir / "dictionary.txt") + [w for g in groups for w in g]
    return Lexicon(
        words=tuple(dict.fromkeys(words)),
        canonical_by_word=canonical_by_word,
        stopwords=frozenset(_read_lines(seed_dir / "stopwords.txt")),
        boilerplate=tuple(re.compile(p, re.MULTILINE) for p in patterns),
        group_by_key=group_by_key,
    )


@lru_cache(maxsize=4)
def _tokenizer(words: tuple[str, ...]) -> jieba.Tokenizer:
    """A private jieba tokenizer so the domain dictionary never leaks into other users of jieba."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in words:
        # A frequency high enough that jieba prefers the domain word over splitting it.
        tokenizer.add_word(word, freq=max(2000, 400 * len(word)))
    return tokenizer


class TextPipeline:
    """Cleans and segments text into topical terms and passages, the same way for offers and needs."""

    def __init__(self, lexicon: Lexicon | None = None, excluded_names: Iterable[str] = ()) -> None:
        self.lexicon = lexicon or load_lexicon()
        self._tokenizer = _tokenizer(self.lexicon.words)
        self._excluded: set[str] = set()
        self._name_lengths: list[int] = []
        self.exclude_names(excluded_names)

    def exclude_names(self, names: Iterable[str]) -> None:
        """Institution and company names say who, not what: they never become topical terms."""
        for name in names:
            name = name.strip()
            if len(name) >= 2:
                self._excluded.add(name)
        self._name_lengths = sorted({len(n) for n in self._excluded}, reverse=True)

    def strip_names(self, text: str) -> str:
        """Blank every excluded name, longest first; a set lookup per position and name length, so 20,000
        company names cost no more than a handful."""
        lengths = self._name_lengths
        pieces: list[str] = []
        i = 0
        while i < len(text):
            for length in lengths:
                if text[i : i + length] in self._excluded:
                    pieces.append(" ")
                    i += length
                    break
            else:
                pieces.append(text[i])
                i += 1
        return _ORG_NAME.sub(" ", "".join(pieces))

    def clean(self, text: str) -> str:
        """Remove patent boilerplate and names; what is left is the technical content."""
        for pattern in self.lexicon.boilerplate:
            text = pattern.sub("", text)
        return self.strip_names(text).strip(" ，,。")

    def terms(self, text: str) -> list[Term]:
        """Topical terms of already cleaned text, in order, each with its canonical key."""
        out: list[Term] = []
        lexicon = self.lexicon
        for token in self._tokenizer.lcut(text, HMM=True):
            token = token.strip()
            lowered = token.lower()
            if not token or lowered in lexicon.stopwords or not _KEEP_TOKEN.match(token):
                continue
            out.append(Term(token, lexicon.canonical_by_word.get(lowered, lowered)))
        return out

    def keys(self, text: str) -> list[str]:
        """Canonical keys of cleaned text (what BM25 indexes)."""
        return [term.key for term in self.terms(text)]

    def passages(self, text: str) -> list[str]:
        """Split cleaned text into sentence-sized passages for passage-level similarity."""
        pieces: list[str] = []
        for sentence in _SENTENCE_END.split(text):
            sentence = sentence.strip(" ，,")
            if not sentence:
                continue
            if len(sentence) <= MAX_PASSAGE_CHARS:
                pieces.append(sentence)
                continue
            current = ""
            for clause in _CLAUSE_END.split(sentence):
                if current and len(current) + len(clause) > MAX_PASSAGE_CHARS:
                    pieces.append(current)
                    current = ""
                current = f"{current}，{clause}" if current else clause
            if current:
                pieces.append(current)
        merged: list[str] = []
        for piece in pieces:
            if merged and len(merged[-1]) < MIN_PASSAGE_CHARS:
                merged[-1] = f"{merged[-1]}，{piece}"
            else:
                merged.append(piece)
        return merged
