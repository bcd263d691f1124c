"""After-commit change notification, the one way services tell listeners that an offer or a need changed.

A service that changes a record calls :func:`announce` inside the caller's unit of work; the message waits on the
session and is delivered by ``Services.transaction`` only after the commit, so nothing hears about a change that
was rolled back. Listeners (the matcher's index, the search fingerprint) subscribe in ``Services.listeners`` and
the changing module never learns who they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from sqlmodel import Session

if TYPE_CHECKING:
    from matchmaker.bootstrap import Services

log = logging.getLogger("matchmaker.changes")

#: ``listener(record_id, change)``; ``change`` is ``created``, ``updated`` or ``status`` (read the record for the
#: new status).
Listener = Callable[[int, str], None]
Kind = Literal["offer", "need"]
#: Where ``Services.transaction`` finds the deliveries a unit of work queued.
AFTER_COMMIT = "after_commit"


@dataclass
class ChangeListeners:
    offer: list[Listener] = field(default_factory=list)
    need: list[Listener] = field(default_factory=list)

    def of(self, kind: Kind) -> list[Listener]:
        return self.offer if kind == "offer" else self.need


def announce(session: Session, kind: Kind, record_ids: Iterable[int], change: str) -> None:
    """Tell ``kind``'s listeners about ``record_ids`` once this session's transaction commits."""
    ids = list(record_ids)

    def deliver(services: Services) -> None:
        for record_id in ids:
            for listener in services.listeners.of(kind):
                try:
                    listener(record_id, change)
                except Exception:
                    # The change is stored; the person who made it should not see an error for a derived index.
                    log.exception("%s listener %r failed for %s (%s)", kind, listener, record_id, change)

    if ids:
        session.info.setdefault(AFTER_COMMIT, []).append(deliver)
