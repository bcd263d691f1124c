"""The one place that wires settings to real dependencies (engine, reference data, search, matcher)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.services.accounts import Throttle
from matchmaker.services.changes import AFTER_COMMIT, ChangeListeners
from matchmaker.services.reference import Reference, load_reference
from matchmaker.services.sessions import Lifetime
from matchmaker.settings import Settings
from matchmaker.storage.db import make_engine, transaction

if TYPE_CHECKING:
    from matchmaker.matching.embedding import Embedder
    from matchmaker.search import OfferSearch
    from matchmaker.services.jobs import Queue
    from matchmaker.services.match_index import MatcherState


@dataclass
class Services:
    settings: Settings
    engine: Engine
    reference: Reference
    #: Who hears about committed offer and need changes (``services/changes.py``).
    listeners: ChangeListeners = field(default_factory=ChangeListeners)
    # Long-lived objects, one per process, created on first use by the service that owns them.
    #: The offer search backend (``services/search.py``) and the data version it was last brought up to.
    offer_search: OfferSearch | None = None
    offer_search_version: tuple[Any, ...] | None = None
    #: The matcher's index and background build (``services/match_index.py``).
    matcher: MatcherState | None = None
    #: The embedding model; ``None`` means the one settings name. Tests put a small fake here.
    embedder: Embedder | None = None
    #: The job queue this process hands work to (``services/jobs.py``).
    job_queue: Queue | None = None

    @property
    def throttle(self) -> Throttle:
        return Throttle(
            self.settings.login_max_failures,
            timedelta(seconds=self.settings.login_window_seconds),
            self.settings.login_max_client_failures,
        )

    @property
    def session_lifetime(self) -> Lifetime:
        return Lifetime(
            idle=timedelta(seconds=self.settings.session_idle_seconds),
            absolute=timedelta(seconds=self.settings.session_max_seconds),
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read session; use :meth:`transaction` for writes."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: web handlers and commands open it and hand the session to services. After it
        commits, the changes services announced (``changes.announce``) reach the listeners; a rolled-back
        unit of work tells nobody."""
        with transaction(self.engine) as session:
            yield session
        for deliver in session.info.pop(AFTER_COMMIT, []):
            deliver(self)


def build(settings: Settings, *, engine: Engine | None = None) -> Services:
    return Services(
        settings=settings,
        engine=engine or make_engine(settings.database_url),
        reference=load_reference(settings.seed_dir),
    )
