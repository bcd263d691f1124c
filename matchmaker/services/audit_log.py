"""The 操作日志 page reads the audit trail through here; ``storage/audit.py`` writes and queries it."""

from __future__ import annotations

from sqlmodel import Session

from matchmaker.storage import audit
from matchmaker.storage.models import AuditLog

#: The page shows the newest entries only; older ones stay in the table and in backups.
SHOWN = 300


def recent_entries(session: Session, entity: str = "") -> list[AuditLog]:
    """The newest changes, optionally of one kind of record (``offer``, ``need``, ``user`` …)."""
    return audit.recent(session, SHOWN, [entity] if entity else None)
