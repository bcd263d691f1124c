"""An event's theme applied to the matcher's pairs: only pairs on theme are proposed, and the more of a pair is on
theme the higher it stands.

A pair is on theme when the need or the offer is in one of the event's fields, or the texts of the pair contain
one of its keywords. A theme with neither fields nor keywords leaves the pairs as they were (an event without a
theme proposes as before).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from matchmaker.matching.docs import NeedDoc, OfferDoc
from matchmaker.matching.fusion import Match, Reason

#: Added to a pair's relative score (0–1) for ordering, per side (need, offer) that is on theme: a pair whose
#: need and offer are both in the event's fields comes before a somewhat closer pair where only one side is.
THEME_WEIGHT = 0.15


@dataclass(frozen=True)
class Theme:
    """The industry fields (the offers' and needs' field vocabulary) and keywords an event is about."""

    fields: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.fields or self.keywords)


#: An event without a theme: its proposals are the matcher's as they are.
NO_THEME = Theme()


@dataclass(frozen=True)
class ThemeHit:
    """What makes a pair on theme: the sides whose field is one of the event's, and the keywords found."""

    need_field: str = ""
    offer_field: str = ""
    keywords: tuple[str, ...] = ()

    def sides(self) -> int:
        """How many of the two sides are on theme (by field, or by a keyword in that side's text)."""
        return sum(1 for s in (self.need_field, self.offer_field) if s) or (1 if self.keywords else 0)


def _need_text(need: NeedDoc) -> str:
    return f"{need.title}\n{need.description}\n{need.expected_outcome}"


def _offer_text(offer: OfferDoc) -> str:
    return f"{offer.title}\n{offer.abstract}\n{offer.claims}"


def theme_hit(theme: Theme, need: NeedDoc, offer: OfferDoc) -> ThemeHit | None:
    """Why the pair is on theme, or None when it is not."""
    need_field = need.field if need.field in theme.fields else ""
    offer_field = offer.field if offer.field in theme.fields else ""
    need_text, offer_text = _need_text(need).casefold(), _offer_text(offer).casefold()
    found = tuple(k for k in theme.keywords if k.casefold() in need_text or k.casefold() in offer_text)
    if not (need_field or offer_field or found):
        return None
    return ThemeHit(need_field=need_field, offer_field=offer_field, keywords=found)


def theme_reason(hit: ThemeHit) -> Reason:
    fields = sorted({f for f in (hit.need_field, hit.offer_field) if f})
    return Reason("theme", {"fields": fields, "keywords": list(hit.keywords)})


def on_theme(
    theme: Theme,
    matches: Sequence[Match],
    needs: dict[str, NeedDoc],
    offers: dict[str, OfferDoc],
    total: float,
) -> list[Match]:
    """The matches on theme, each with a ``theme`` reason first, ordered by relative score (``score / total``)
    plus :data:`THEME_WEIGHT` per side on theme; the shown score itself is unchanged. Without a theme: the
    matches as given."""
    if not theme:
        return list(matches)
    kept: list[tuple[float, Match]] = []
    for m in matches:
        hit = theme_hit(theme, needs[m.need_id], offers[m.offer_id])
        if hit is None:
            continue
        weighed = m.score / (total or 1.0) + THEME_WEIGHT * hit.sides()
        kept.append((weighed, replace(m, reasons=(theme_reason(hit), *m.reasons))))
    kept.sort(key=lambda x: -x[0])  # stable: equal weights keep the given order
    return [m for _, m in kept]
