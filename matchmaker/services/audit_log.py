"""The 操作日志 page reads the audit trail through here; ``storage/audit.py`` writes and queries it.

The trail stores codes (``offer`` / ``update`` / ``legal_status``) so that it stays stable when wording changes;
this module says them in Chinese for people: record types, actions, field names, yes/no and role values, and
the operator's real name instead of the user name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.domain.local_time import LOCAL_ZONE
from matchmaker.domain.needs import FIELD_LABELS as NEED_FIELDS
from matchmaker.domain.offers import FIELD_LABELS as OFFER_FIELDS
from matchmaker.domain.vocab import ROLE_LABELS
from matchmaker.services.contracts import AUDIT_LABELS as CONTRACT_FIELDS
from matchmaker.services.pledges import AUDIT_LABELS as PLEDGE_FIELDS
from matchmaker.storage import audit
from matchmaker.storage.models import AuditLog, User

PAGE_SIZE = 50

ENTITY_LABELS: Mapping[str, str] = {
    "user": "账号",
    "institution": "单位",
    "company": "企业",
    "offer": "专利成果",
    "need": "技术需求",
    "meeting_request": "会谈请求",
    "request_meeting": "约定会谈",
    "event": "对接会",
    "event_pair": "对接配对",
    "event_participant": "对接会参会方",
    "meeting": "对接会会谈",
    "judgement": "匹配评价",
    "contract": "技术合同",
    "pledge": "质押登记",
    "indicator": "规划指标",
    "import_profile": "导入方案",
    "licence": "开放许可",
    "bulletin": "统计简报",
}
ACTION_LABELS: Mapping[str, str] = {
    "create": "新增",
    "update": "修改",
    "status": "状态变更",
    "void": "作废",
    "import": "批量导入",
    "drop": "移出",
    "outcome": "记录结果",
    "propose": "提议时间",
    "confirm": "确认",
    "publish": "发布",
    "schedule": "排程",
    "delete": "删除",
    "change": "变更",
    "release": "注销",
    "login": "登录",
    "logout": "退出",
    "sign_out": "强制下线",
    "reset": "重置",
    "accept": "接受",
    "decline": "拒绝",
    "cancel": "取消",
}
#: field names shared by several record types; per-type names come from each domain's own labels
COMMON_FIELDS: Mapping[str, str] = {
    "status": "状态",
    "state": "状态",
    "password": "密码",
    "api_token": "接口令牌",
    "alias": "别名",
    "company_id": "所属企业",
    "institution_id": "所属单位",
    "excluded": "排除",
    "options": "备选时间",
    "outcome": "结果",
    "preference": "意愿",
    "sessions": "登录会话",
    "changed_on": "变更日期",
    "role": "角色",
    "display_name": "姓名",
    "email": "邮箱",
    "is_active": "启用",
    "name": "名称",
    "credit_code": "统一社会信用代码",
    "town": "镇（街道）",
    "field": "领域",
    "description": "简介",
    "venue": "地点",
    "event_date": "日期",
    "tables": "洽谈桌",
    "note": "备注",
}
FIELDS_BY_ENTITY: Mapping[str, Mapping[str, str]] = {
    "offer": OFFER_FIELDS,
    "need": NEED_FIELDS,
    "contract": CONTRACT_FIELDS,
    "pledge": PLEDGE_FIELDS,
}
VALUE_LABELS: Mapping[str, str] = {"True": "是", "False": "否", "None": "—", **ROLE_LABELS}
SYSTEM = "系统"


@dataclass(frozen=True)
class AuditFilters:
    date_from: date | None = None
    date_to: date | None = None
    user_id: int | None = None  # 0: entries without a user (the system)
    entity: str = ""
    action: str = ""


@dataclass(frozen=True)
class Entry:
    """One row as people read it."""

    at: datetime
    operator: str
    record: str
    record_id: int
    action: str
    field: str
    old: str
    new: str
    note: str


def entity_label(code: str) -> str:
    return ENTITY_LABELS.get(code, "其他记录")


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, "其他操作")


def field_label(entity: str, code: str) -> str:
    if not code:
        return "—"
    label = FIELDS_BY_ENTITY.get(entity, {}).get(code) or COMMON_FIELDS.get(code)
    if label:
        return label
    return code if not code.isascii() else "其他字段"  # e.g. 「2024年实际值」 is written in Chinese already


def value_label(value: str | None) -> str:
    if value is None or value == "":
        return "—"
    return VALUE_LABELS.get(value, value)


def parse_filters(params: Mapping[str, str]) -> AuditFilters:
    errors: list[FieldError] = []

    def day(name: str) -> date | None:
        text = (params.get(name) or "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            errors.append(FieldError(name, f"日期「{text}」应写成 2025-06-30 这样的格式"))
            return None

    date_from, date_to = day("date_from"), day("date_to")
    if date_from and date_to and date_to < date_from:
        errors.append(FieldError("date_to", f"结束日期 {date_to} 早于开始日期 {date_from}"))
    user_text = (params.get("user") or "").strip()
    if errors:
        raise ValidationFailed(errors)
    return AuditFilters(
        date_from=date_from,
        date_to=date_to,
        user_id=int(user_text) if user_text.isdigit() else None,
        entity=(params.get("entity") or "").strip(),
        action=(params.get("action") or "").strip(),
    )


def _utc(day: date) -> datetime:
    """Midnight in Liyang of ``day``, in UTC as the trail stores times."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE).astimezone(UTC)


def _names(session: Session, ids: Sequence[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {u.id: u.display_name for u in session.exec(select(User).where(col(User.id).in_(wanted))) if u.id}


def _operator(row: AuditLog, names: Mapping[int, str]) -> str:
    if row.user_id is not None:
        return names.get(row.user_id, "已删除的账号")
    return f"{SYSTEM}（演示数据）" if row.username == "seed" else SYSTEM


def entries(
    session: Session, filters: AuditFilters, *, page: int = 1, size: int | None = PAGE_SIZE
) -> tuple[list[Entry], int]:
    """One page of the trail, newest first, in Chinese; and how many entries match."""
    rows, total = audit.search(
        session,
        entity=filters.entity,
        action=filters.action,
        user_id=filters.user_id,
        since=_utc(filters.date_from) if filters.date_from else None,
        until=_utc(filters.date_to + timedelta(days=1)) if filters.date_to else None,
        offset=(max(page, 1) - 1) * size if size else 0,
        limit=size,
    )
    names = _names(session, [r.user_id for r in rows])
    return [
        Entry(
            at=r.at,
            operator=_operator(r, names),
            record=entity_label(r.entity),
            record_id=r.entity_id,
            action=action_label(r.action),
            field=field_label(r.entity, r.field),
            old=value_label(r.old),
            new=value_label(r.new),
            note=r.note or "",
        )
        for r in rows
    ], total


@dataclass(frozen=True)
class Choices:
    """What the filters offer: only record types, actions and people that occur in the trail."""

    entities: list[tuple[str, str]]
    actions: list[tuple[str, str]]
    users: list[tuple[int, str]]


def choices(session: Session) -> Choices:
    entities, actions, user_ids = audit.facets(session)
    names = _names(session, user_ids)
    users = sorted(((i, n) for i, n in names.items()), key=lambda p: p[1])
    if None in user_ids:
        users.append((0, SYSTEM))
    return Choices(
        entities=sorted(((e, entity_label(e)) for e in entities), key=lambda p: p[1]),
        actions=sorted(((a, action_label(a)) for a in actions), key=lambda p: p[1]),
        users=users,
    )
