"""Server-side sessions: a signed-in browser is a row, so it can be ended from the server.

The cookie holds a random token; only its sha256 is stored. A session ends when its user logs out, changes their
password (every other session of theirs), is signed out everywhere by an admin, is deactivated, or when it has
been idle longer than the idle limit or open longer than the absolute limit, whichever comes first. Activity
does not extend the absolute limit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from matchmaker.domain.errors import NotFound
from matchmaker.services.permissions import Actor, authorize
from matchmaker.storage import audit
from matchmaker.storage.models import User, UserSession, utcnow

#: last_seen_at is written at most this often, so reading pages is not a write per request.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetime:
    idle: timedelta = timedelta(hours=4)
    absolute: timedelta = timedelta(hours=12)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user: User) -> str:
    """A new session for ``user``; returns the token for the cookie (shown nowhere else)."""
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_digest(token), user_id=user.id))
    return token


def user_for(session: Session, token: str, lifetime: Lifetime, now: datetime | None = None) -> User | None:
    """The active user of a live session, or None (unknown token, expired, deactivated user). Commits its own
    small writes (expiry, last seen), so call it with a session of its own."""
    now = now or utcnow()
    row = session.exec(select(UserSession).where(UserSession.token_hash == _digest(token))).first()
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if (
        user is None
        or not user.is_active
        or now - row.created_at > lifetime.absolute
        or now - row.last_seen_at > lifetime.idle
    ):
        session.delete(row)
        session.commit()
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
        session.commit()
    return user


def end(session: Session, token: str) -> None:
    session.exec(delete(UserSession).where(col(UserSession.token_hash) == _digest(token)))


def end_all(session: Session, user_id: int, *, keep: str | None = None) -> int:
    """End every session of the user except ``keep`` (the browser that asked); returns how many ended."""
    stmt = delete(UserSession).where(col(UserSession.user_id) == user_id)
    if keep:
        stmt = stmt.where(col(UserSession.token_hash) != _digest(keep))
    return int(session.exec(stmt).rowcount or 0)


def count(session: Session, user_id: int) -> int:
    return len(session.exec(select(UserSession.id).where(UserSession.user_id == user_id)).all())


def sign_out_everywhere(session: Session, actor: Actor, user_id: int) -> int:
    """Admin's 全部下线: end every session of the account (API tokens are separate; see issue_api_token)."""
    authorize(actor, "user.manage")
    if session.get(User, user_id) is None:
        raise NotFound("账号不存在")
    ended = end_all(session, user_id)
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="user",
        entity_id=user_id,
        action="update",
        field="sessions",
        new=f"全部下线（{ended} 个会话）",
    )
    return ended
