"""The append-only audit trail. Writes join the caller's transaction, so a change and its trace commit together."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from matchmaker.storage.models import AuditLog


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


def record(
    session: Session,
    *,
    user_id: int | None,
    username: str,
    entity: str,
    entity_id: int,
    action: str,
    field: str = "",
    old: Any = None,
    new: Any = None,
    note: str = "",
) -> None:
    session.add(
        AuditLog(
            user_id=user_id,
            username=username,
            entity=entity,
            entity_id=entity_id,
            action=action,
            field=field,
            old=_text(old),
            new=_text(new),
            note=note,
        )
    )


def record_changes(
    session: Session,
    *,
    user_id: int | None,
    username: str,
    entity: str,
    entity_id: int,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    action: str = "update",
) -> list[str]:
    """One row per changed field; returns the names of the fields that changed."""
    changed = [name for name in after if before.get(name) != after.get(name)]
    for name in changed:
        record(
            session,
            user_id=user_id,
            username=username,
            entity=entity,
            entity_id=entity_id,
            action=action,
            field=name,
            old=before.get(name),
            new=after.get(name),
        )
    return changed


def history(session: Session, entity: str, entity_id: int) -> list[AuditLog]:
    stmt = (
        select(AuditLog)
        .where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
        .order_by(col(AuditLog.at), col(AuditLog.id))
    )
    return list(session.exec(stmt))


def recent(session: Session, limit: int = 200, entities: Iterable[str] | None = None) -> list[AuditLog]:
    stmt = select(AuditLog).order_by(col(AuditLog.id).desc()).limit(limit)
    if entities:
        stmt = stmt.where(col(AuditLog.entity).in_(list(entities)))
    return list(session.exec(stmt))


def search(
    session: Session,
    *,
    entity: str = "",
    action: str = "",
    user_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int | None = 50,
) -> tuple[list[AuditLog], int]:
    """Entries newest first matching every given condition (times in UTC, ``until`` exclusive), and how many
    match in all."""
    conditions: list[Any] = []
    if entity:
        conditions.append(AuditLog.entity == entity)
    if action:
        conditions.append(AuditLog.action == action)
    if user_id is not None:
        conditions.append(AuditLog.user_id == (user_id or None))
    if since is not None:
        conditions.append(col(AuditLog.at) >= since)
    if until is not None:
        conditions.append(col(AuditLog.at) < until)
    stmt = select(AuditLog).where(*conditions).order_by(col(AuditLog.id).desc()).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    total = session.exec(select(func.count()).select_from(AuditLog).where(*conditions)).one()
    return list(session.exec(stmt)), int(total)


def facets(session: Session) -> tuple[list[str], list[str], list[int | None]]:
    """The record types, actions and user ids that occur in the trail (for the page's filter choices)."""
    entities = sorted(set(session.exec(select(AuditLog.entity).distinct())))
    actions = sorted(set(session.exec(select(AuditLog.action).distinct())))
    users = list(set(session.exec(select(AuditLog.user_id).distinct())))
    return entities, actions, users
