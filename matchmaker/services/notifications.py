"""In-app notifications: a line of text and a link, unread until the user opens their list."""

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


def mark_all_read(session: Session, user_id: int) -> None:
    session.exec(update(Notification).where(col(Notification.user_id) == user_id).values(is_read=True))
