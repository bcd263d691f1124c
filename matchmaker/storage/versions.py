"""Record versions: every flush that edits an offer, need, contract, event or account adds one to its ``version``.

Done once here (a ``before_flush`` hook on every session) rather than in each service, so no edit path can forget
it. Bookkeeping columns that are not a person's edit (timestamps, login and password state of an account) do
not count: an admin editing an account must not be told it changed because its owner logged in.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from matchmaker.storage.models import Contract, Event, Need, Offer, User

#: Columns whose change is not an edit, per record type.
NOT_EDITS: dict[type, frozenset[str]] = {
    Offer: frozenset({"updated_at", "version"}),
    Need: frozenset({"updated_at", "version"}),
    Contract: frozenset({"updated_at", "version"}),
    Event: frozenset({"updated_at", "version"}),
    User: frozenset({"last_login_at", "password_hash", "must_change_password", "api_token_hash", "version"}),
}


def _edited(record: Any) -> bool:
    ignored = NOT_EDITS[type(record)]
    state = inspect(record)
    return any(attr.key not in ignored and attr.history.has_changes() for attr in state.attrs)


@event.listens_for(Session, "before_flush")
def _bump_versions(session: Session, _context: Any, _instances: Any) -> None:
    for record in session.dirty:
        if type(record) in NOT_EDITS and _edited(record):
            record.version = (record.version or 1) + 1
