"""Controlled values as offices write them, read from ``seed/values.json`` (data, not code).

An import rewrites a cell of a controlled field (legal status, patent type, transfer modes, industry field …)
to the platform's value *before* validation when a spelling is known; a value it cannot place is passed on
unchanged, so the domain validator decides (and may still read it, e.g. 「发明专利（PCT）」 with a warning). If
the validator then refuses it, the preview asks the person once per distinct value ("map this value to…");
the answer is an ``answers`` entry and is kept in the import profile.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DEFAULT_VALUES_PATH = Path(__file__).resolve().parents[2] / "seed" / "values.json"


def value_key(text: str) -> str:
    """Comparison form of a value: NFKC, lower case, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


@dataclass(frozen=True)
class Vocabulary:
    """One controlled field: spelling → canonical value, keyword rules, suffixes to strip."""

    name: str
    canonical: tuple[str, ...]
    spellings: Mapping[str, str]
    contains: tuple[tuple[str, tuple[str, ...]], ...] = ()
    strip_suffixes: tuple[str, ...] = ()
    multi: bool = False

    def lookup(self, text: str) -> str | None:
        """The canonical value of one spelling, or None when not known."""
        key = value_key(text)
        if not key:
            return None
        found = self.spellings.get(key)
        if found is not None:
            return found
        for suffix in self.strip_suffixes:
            if key.endswith(suffix) and len(key) > len(suffix):
                found = self.spellings.get(key[: -len(suffix)])
                if found is not None:
                    return found
        for canonical, keywords in self.contains:
            if any(word in key for word in keywords):
                return canonical
        return None


@dataclass(frozen=True)
class ValueTables:
    """All vocabularies plus the list separators, negotiable-price phrases and TRL spellings."""

    vocabularies: Mapping[str, Vocabulary]
    separators: tuple[str, ...]
    negotiable: frozenset[str]
    trl_prefixes: tuple[str, ...]
    trl_suffixes: tuple[str, ...]
    _split_re: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = "|".join(re.escape(s) for s in sorted(self.separators, key=len, reverse=True))
        object.__setattr__(self, "_split_re", re.compile(f"(?:{pattern}|\\s)+"))

    def split(self, text: str) -> list[str]:
        """A multi-value cell's parts: 「转让+许可」, 「转让、许可」, one per line …"""
        return [part for part in self._split_re.split(unicodedata.normalize("NFKC", text)) if part]

    def is_negotiable(self, text: str) -> bool:
        return value_key(text) in self.negotiable

    def trl_text(self, text: str) -> str:
        """「TRL-5」「第5级」「技术成熟度：5」 → 「5」; anything else unchanged for the validator to judge."""
        key = value_key(text)
        changed = True
        while changed:
            changed = False
            for prefix in self.trl_prefixes:
                if key.startswith(prefix) and len(key) > len(prefix):
                    key, changed = key[len(prefix) :], True
            for suffix in self.trl_suffixes:
                if key.endswith(suffix) and len(key) > len(suffix):
                    key, changed = key[: -len(suffix)], True
        return key if key.isdigit() else text


def parse_value_tables(document: Mapping[str, object]) -> ValueTables:
    """Build the tables; a spelling listed for two values of one vocabulary is refused at load time."""
    vocabularies: dict[str, Vocabulary] = {}
    raw_vocabularies = document.get("vocabularies", {})
    assert isinstance(raw_vocabularies, Mapping)
    for name, spec in raw_vocabularies.items():
        spellings: dict[str, str] = {}
        for canonical, words in spec.get("values", {}).items():
            for word in [canonical, *words]:
                key = value_key(word)
                if spellings.setdefault(key, canonical) != canonical:
                    raise ValueError(
                        f"values: {word!r} is listed for {spellings[key]!r} and {canonical!r} ({name})"
                    )
        contains = tuple(
            (canonical, tuple(value_key(w) for w in words)) for canonical, words in spec.get("contains", [])
        )
        vocabularies[name] = Vocabulary(
            name=name,
            canonical=tuple(spec.get("values", {})),
            spellings=spellings,
            contains=contains,
            strip_suffixes=tuple(value_key(s) for s in spec.get("strip_suffixes", [])),
            multi=bool(spec.get("multi", False)),
        )
    trl = document.get("trl", {})
    assert isinstance(trl, Mapping)
    separators = document.get("separators", [])
    negotiable = document.get("negotiable", [])
    assert isinstance(separators, Sequence) and isinstance(negotiable, Sequence)
    return ValueTables(
        vocabularies=vocabularies,
        separators=tuple(str(s) for s in separators),
        negotiable=frozenset(value_key(str(n)) for n in negotiable),
        trl_prefixes=tuple(value_key(p) for p in trl.get("strip_prefixes", [])),
        trl_suffixes=tuple(value_key(s) for s in trl.get("strip_suffixes", [])),
    )


@lru_cache(maxsize=4)
def load_value_tables(path: Path = DEFAULT_VALUES_PATH) -> ValueTables:
    """Read ``seed/values.json`` once per process."""
    return parse_value_tables(json.loads(path.read_text(encoding="utf-8")))


#: Answers a person gave in a preview: vocabulary → value key (``value_key``) → canonical value.
Answers = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class Normalised:
    """A cell after normalisation, and the parts that no spelling matched (for the preview's questions)."""

    value: object
    unknown: tuple[str, ...] = ()


def normalise_value(
    tables: ValueTables, vocabulary: str, value: object, answers: Answers | None = None
) -> Normalised:
    """Rewrite known spellings to the platform's value; unknown parts pass through unchanged."""
    if not isinstance(value, str):
        return Normalised(value)
    vocab = tables.vocabularies.get(vocabulary)
    if vocab is None:
        return Normalised(value)
    answered = (answers or {}).get(vocabulary, {})

    def one(part: str) -> str | None:
        key = value_key(part)
        return answered.get(key) or vocab.lookup(part)

    if not vocab.multi:
        found = one(value)
        return Normalised(found) if found is not None else Normalised(value, (value.strip(),))
    parts = tables.split(value)
    out: list[str] = []
    unknown: list[str] = []
    for part in parts:
        found = one(part)
        if found is None:
            unknown.append(part)
            out.append(part)
        elif found not in out:
            out.append(found)
    return Normalised("、".join(out), tuple(unknown))
