"""Optimistic locking for edits: a save based on an older ``version`` of the record is refused (409) with what
is different now, and the form comes back with the person's values and the current version, so saving again
reapplies their edit on top of the other person's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.storage.models import AuditLog

BEIJING = ZoneInfo("Asia/Shanghai")
#: The hidden form field and JSON key carrying the version the person started from.
FIELD = "version"
#: Where a refused form finds the version to send next time (never shown as a message).
CURRENT = "version_current"


class StaleEdit(ValidationFailed):
    """Someone saved the record after this person opened it."""

    status = 409

    def __init__(self, message: str, current_version: int) -> None:
        super().__init__([FieldError(FIELD, message), FieldError(CURRENT, str(current_version))])
        self.current_version = current_version


def submitted_version(values: Mapping[str, Any]) -> int | None:
    """The version a form or JSON body says it started from; None when it sends none (older API clients)."""
    value = values.get(FIELD)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def check(
    session: Session,
    record: Any,
    submitted: int | None,
    *,
    entity: str,
    noun: str,
    current: Mapping[str, Any],
    mine: Mapping[str, Any],
    labels: Mapping[str, str] | None = None,
) -> None:
    """Refuse the save when ``submitted`` is older than the record. ``current`` and ``mine`` are the record's
    values now and as this person would save them (field → value); the message lists the fields where they
    differ, with who saved last and when."""
    stored_version = record.version
    if submitted is None or submitted == stored_version:
        return
    with (
        session.no_autoflush
    ):  # the refused edit must not reach the database, not even inside this transaction
        last = session.exec(
            select(AuditLog)
            .where(AuditLog.entity == entity, AuditLog.entity_id == record.id)
            .order_by(col(AuditLog.id).desc())
        ).first()
    who = f"{last.username} 于 {last.at.astimezone(BEIJING):%Y-%m-%d %H:%M} " if last is not None else ""
    names = labels or {}
    differences = [
        f"{names.get(k, k)}：当前「{_text(current.get(k))}」，您的「{_text(v)}」"
        for k, v in mine.items()
        if _text(current.get(k)) != _text(v)
    ]
    detail = "；".join(differences) if differences else "您的修改与当前内容相同"
    raise StaleEdit(
        f"该{noun}在您打开后已被 {who}修改（第 {stored_version} 版）。与当前内容不同的是：{detail}。"
        "表单中保留了您的修改，核对后再次保存即按您的修改覆盖。",
        stored_version,
    )
