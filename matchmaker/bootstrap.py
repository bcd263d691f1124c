"""The one place that wires settings to real dependencies (engine, reference data, search, matcher)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.services.accounts import Throttle
from matchmaker.services.reference import Reference, load_reference
from matchmaker.services.sessions import Lifetime
from matchmaker.settings import Settings
from matchmaker.storage.db import make_engine, transaction


@dataclass
class Services:
    settings: Settings
    engine: Engine
    reference: Reference
    #: Feature areas keep long-lived objects here (search index, matcher), created lazily by their services.
    extras: dict[str, Any] = field(default_factory=dict)

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
        """One unit of work; after it commits, the callables services left in ``session.info["after_commit"]``
        run with these services (change listeners: the matcher hears about a need only once it is stored)."""
        with transaction(self.engine) as session:
            yield session
        for hook in session.info.pop("after_commit", []):
            hook(self)


def build(settings: Settings, *, engine: Engine | None = None) -> Services:
    return Services(
        settings=settings,
        engine=engine or make_engine(settings.database_url),
        reference=load_reference(settings.seed_dir),
    )
