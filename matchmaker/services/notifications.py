"""In-app notifications: a line of text and a link, unread until the user opens their list.

Opening the list is reading it: :func:`mark_seen` marks exactly the notices the page showed, so one that arrives
while the page renders stays unread, and the 通知 badge goes out once the user has seen what it counted.
"""

from __future__ import annotations

from sqlmodel import Session, col, func, select, update

from matchmaker.storage.models import Notification


def notify(session: Session, user_id: int, text: str, link: str = "") -> None:
    """Joins the caller's transaction, so a notice exists exactly when the change it announces does."""
    session.add(Notification(user_id=user_id, text=text[:300], link=link[:200]))


def unread_count(session: Session, user_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.is_read == False)
    )
    return int(session.exec(stmt).one())


def latest(session: Session, user_id: int, limit: int = 100) -> list[Notification]:
    stmt = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(col(Notification.id).desc())
        .limit(limit)
    )
    return list(session.exec(stmt))


def mark_seen(session: Session, user_id: int, shown: list[Notification]) -> None:
    """Mark the notices just shown to their user as read (only theirs, only the unread ones)."""
    ids = [n.id for n in shown if n.id is not None and not n.is_read]
    if ids:
        session.exec(
            update(Notification)
            .where(col(Notification.user_id) == user_id, col(Notification.id).in_(ids))
            .values(is_read=True)
        )
