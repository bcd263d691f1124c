"""Institution names as people type them → one of the known institutions, or an honest "unknown".

Spreadsheets and forms spell the three Liyang institutions many ways (南航天目湖校区, 东南大学 溧阳研究院,
重庆大学（溧阳）研究院 …). The common spellings are data (``seed/institutions.json``); this module only
normalises, looks them up, and falls back to rapidfuzz for typos it has not seen.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rapidfuzz import fuzz, process

from matchmaker.domain.identifiers import parse_credit_code


@dataclass(frozen=True)
class Institution:
    """A known institution: ``canonical`` is the name stored on offers and contracts."""

    canonical: str
    short_name: str
    aliases: tuple[str, ...]
    credit_code: str = ""
    kind: str = ""
    description: str = ""


@dataclass(frozen=True)
class Resolution:
    """What a name resolved to; ``score`` is 0–100 (rapidfuzz ratio), kept for unknowns too, for review."""

    canonical: str | None
    score: float
    method: str  # "exact" | "fuzzy" | "unknown"

    @property
    def known(self) -> bool:
        return self.canonical is not None


# 「（筹）」-style suffixes say the institute is being set up; they do not make it another institution.
_PREPARATORY_SUFFIX = re.compile(r"\((筹|筹建|筹备|筹建中|筹备中)\)$")


def normalize_name(name: str) -> str:
    """Comparison key: NFKC (full-width → half-width), lower case, no whitespace, no 「（筹）」 suffix,
    no punctuation (brackets included, so 重庆大学（溧阳）研究院 meets 重庆大学溧阳研究院)."""
    squeezed = "".join(unicodedata.normalize("NFKC", name).casefold().split())
    squeezed = squeezed.replace("【", "(").replace("】", ")").replace("〔", "(").replace("〕", ")")
    squeezed = _PREPARATORY_SUFFIX.sub("", squeezed)
    return "".join(c for c in squeezed if not unicodedata.category(c).startswith("P"))


class InstitutionResolver(Protocol):
    """What validation needs of ``InstitutionNormalizer``: name as typed → resolution. Offers and contracts
    take this, so their tests can pass a fake and importing can pass a normaliser built from the database."""

    def resolve(self, name: str) -> Resolution: ...


class InstitutionNormalizer:
    """Exact alias first, then fuzzy (rapidfuzz ``ratio`` over normalised names) above ``threshold``.

    Calibration of the default 82 (scores are ``fuzz.ratio`` of normalised names; the lists are in
    ``tests/domain/test_institutions.py``):
    - Names that must stay unknown top out at 80.0: another university sharing a four-character stem with an
      alias (重庆邮电大学 / 重庆交通大学 vs 重庆大学, 南京航空航天大学金城学院 vs 南京航空航天大学溧阳).
    - Typos and variants of a full name start at 82.4 (东南大学溧阳分院) and 83.3 (南航天目湖), and mostly sit
      at 84.6–96 (南京航天航空大学天目湖校区, 东南大学溧阳研究所, 南京航空航天大学天目湖校).
    82 sits in that gap. Truncations such as 东大溧阳 (72.7) or 东南大学溧阳 (80.0) stay unknown on purpose:
    a person picks the institution, rather than the code guessing between near-equal candidates.

    Fuzzy candidates must also share the first character of the name: people mistype the middle of a name,
    while a different first character is usually a different university (南京大学 vs 东南大学 scores 75,
    北京航空航天大学天目湖校区 vs the NUAA campus 92.3). A fuzzy tie between two institutions is unknown.
    """

    def __init__(self, institutions: Iterable[Institution], threshold: float = 82.0) -> None:
        self.threshold = threshold
        self._canonical_by_key: dict[str, str] = {}
        for institution in institutions:
            for spelling in (institution.canonical, institution.short_name, *institution.aliases):
                key = normalize_name(spelling)
                if not key:
                    continue
                other = self._canonical_by_key.setdefault(key, institution.canonical)
                if other != institution.canonical:
                    raise ValueError(f"机构别名 {spelling} 同时属于 {other} 和 {institution.canonical}")
        self._keys_by_first_char: dict[str, list[str]] = {}
        for key in self._canonical_by_key:
            self._keys_by_first_char.setdefault(key[0], []).append(key)

    def resolve(self, name: str) -> Resolution:
        key = normalize_name(name)
        if not key:
            return Resolution(None, 0.0, "unknown")
        exact = self._canonical_by_key.get(key)
        if exact is not None:
            return Resolution(exact, 100.0, "exact")
        candidates = self._keys_by_first_char.get(key[0], [])
        scored = process.extract(key, candidates, scorer=fuzz.ratio, limit=None)
        if not scored:
            return Resolution(None, 0.0, "unknown")
        best_score = float(scored[0][1])
        best = {self._canonical_by_key[k] for k, score, _ in scored if score == scored[0][1]}
        if best_score < self.threshold or len(best) > 1:
            return Resolution(None, best_score, "unknown")
        return Resolution(best.pop(), best_score, "fuzzy")


def load_institutions(path: Path) -> list[Institution]:
    """Read ``seed/institutions.json``; credit codes are checked (GB 32100) so a typo in seed data fails loudly."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [
        Institution(
            canonical=row["canonical"],
            short_name=row["short_name"],
            aliases=tuple(row["aliases"]),
            credit_code=parse_credit_code(row["credit_code"]),
            kind=row["kind"],
            description=row["description"],
        )
        for row in rows
    ]
