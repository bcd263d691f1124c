"""The patent pledge register: record, change (变更) and release (注销) registrations, audited field by field,
and the 知识产权质押融资 figures computed from it.

A registration counts in the financing indicator with its current secured amount in the month of its
registration date, whatever its status: a 注销 releases the patents once the loan is repaid, it does not undo
the financing. Amounts are integer 分; the audit trail shows them in 元 with two decimals. The pledgor is a
company by its 统一社会信用代码; when the platform knows the company, the registration links to it and takes
its town and field unless the registration names its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, cast, extract, func
from sqlmodel import Session, col, or_, select

from matchmaker.domain.contracts import parse_date
from matchmaker.domain.errors import FieldError, NotFound, ValidationFailed
from matchmaker.domain.identifiers import patent_key
from matchmaker.domain.money import fen_to_yuan, format_yuan, yuan_to_fen
from matchmaker.domain.pledges import (
    FIELD_LABELS,
    PLEDGE_STATUSES,
    PledgedPatent,
    PledgeDraft,
    check_transition,
    format_patents,
    validate_pledge,
)
from matchmaker.services.permissions import Actor, authorize
from matchmaker.services.reference import Reference
from matchmaker.storage import audit
from matchmaker.storage.models import AuditLog, Company, Offer, Pledge, utcnow

#: Form and API inputs, in the order the form shows them.
INPUT_FIELDS = (
    "registration_number", "pledgor", "pledgor_credit_code", "pledgee", "pledgee_kind", "patents", "amount_yuan",
    "registered_on", "debt_from", "debt_to", "field", "town",
)  # fmt: skip
AUDIT_LABELS: Mapping[str, str] = {
    **FIELD_LABELS,
    "status": "状态",
    "changed_on": "变更日期",
    "offer_id": "关联专利成果",
    "reason": "原因",
}
PAGE_SIZE = 50
BREAKDOWNS: Mapping[str, str] = {"bank": "质权人", "field": "所属领域", "town": "所在镇（街道）"}
UNSET = "（未填写）"
_BREAKDOWN_COLUMNS: Mapping[str, Any] = {
    "bank": Pledge.pledgee_name,
    "field": Pledge.field,
    "town": Pledge.town,
}


@dataclass(frozen=True)
class PledgeFilters:
    """The register's filters; empty means "any". Dates bound the registration date, inclusive."""

    q: str = ""
    status: str = ""
    pledgee: str = ""
    field: str = ""
    town: str = ""
    date_from: date | None = None
    date_to: date | None = None


def parse_filters(params: Mapping[str, str]) -> PledgeFilters:
    """Filters from a query string; an unreadable date or an impossible range is refused in Chinese."""
    errors: list[FieldError] = []

    def day(name: str, label: str) -> date | None:
        text = (params.get(name) or "").strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError as exc:
            errors.append(FieldError(name, f"{label}「{text}」{exc}"))
            return None

    date_from, date_to = day("date_from", "起始日期"), day("date_to", "截止日期")
    if date_from and date_to and date_to < date_from:
        errors.append(
            FieldError("date_to", f"截止日期 {date_to.isoformat()} 早于起始日期 {date_from.isoformat()}")
        )
    status = (params.get("status") or "").strip()
    if status and status not in PLEDGE_STATUSES:
        errors.append(FieldError("status", f"状态「{status}」应为{'、'.join(PLEDGE_STATUSES)}之一"))
    if errors:
        raise ValidationFailed(errors)
    return PledgeFilters(
        q=(params.get("q") or "").strip(),
        status=status,
        pledgee=(params.get("pledgee") or "").strip(),
        field=(params.get("field") or "").strip(),
        town=(params.get("town") or "").strip(),
        date_from=date_from,
        date_to=date_to,
    )


# --- checking and storing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """A checked draft with what the platform knows about it: the pledgor company, the linked offer."""

    draft: PledgeDraft
    company: Company | None
    offer_id: int | None


def resolve(session: Session, draft: PledgeDraft) -> Resolved:
    """The registered company with the pledgor's credit code, and the first pledged patent that is a
    platform offer (a pledge on a university's patent is the kind of conversion the plan counts)."""
    company = session.exec(select(Company).where(Company.credit_code == draft.pledgor_credit_code)).first()
    keys = [patent_key(p.number) for p in draft.patents]
    offer = session.exec(select(Offer).where(col(Offer.patent_key).in_(keys)).order_by(col(Offer.id))).first()
    return Resolved(draft, company, offer.id if offer else None)


def check(
    session: Session,
    reference: Reference,
    raw: Mapping[str, object],
    *,
    statuses: tuple[str, ...] = ("登记",),
    exclude_id: int | None = None,
) -> Resolved:
    """Every problem at once: the domain's field rules, then the registration number's uniqueness."""
    draft = validate_pledge(raw, towns=reference.towns, fields=reference.fields, statuses=statuses)
    stmt = select(Pledge).where(Pledge.registration_number == draft.registration_number)
    if exclude_id is not None:
        stmt = stmt.where(Pledge.id != exclude_id)
    existing = session.exec(stmt).first()
    if existing is not None:
        raise ValidationFailed(
            [
                FieldError(
                    "registration_number",
                    f"质押登记号 {draft.registration_number} 已登记：{existing.pledgor_name} 向 {existing.pledgee_name}（#{existing.id}）",
                )
            ]
        )
    return resolve(session, draft)


def patents_of(pledge: Pledge) -> list[PledgedPatent]:
    return [PledgedPatent(p["number"], p.get("main_ipc")) for p in pledge.patents]


def _snapshot(pledge: Pledge) -> dict[str, Any]:
    """The audited view: amount in 元 with two decimals, dates ISO, patents one per line."""
    return {
        "registration_number": pledge.registration_number,
        "pledgor": pledge.pledgor_name,
        "pledgor_credit_code": pledge.pledgor_credit_code,
        "pledgee": pledge.pledgee_name,
        "pledgee_kind": pledge.pledgee_kind,
        "patents": format_patents(patents_of(pledge)).replace("\n", "；"),
        "amount_yuan": format_yuan(fen_to_yuan(pledge.amount_fen)),
        "registered_on": pledge.registered_on.isoformat(),
        "debt_from": pledge.debt_from.isoformat() if pledge.debt_from else None,
        "debt_to": pledge.debt_to.isoformat() if pledge.debt_to else None,
        "status": pledge.status,
        "cancelled_on": pledge.cancelled_on.isoformat() if pledge.cancelled_on else None,
        "field": pledge.field or None,
        "town": pledge.town or None,
        "offer_id": pledge.offer_id,
    }


def _apply(pledge: Pledge, resolved: Resolved) -> None:
    draft, company = resolved.draft, resolved.company
    pledge.registration_number = draft.registration_number
    pledge.pledgor_name = draft.pledgor_name
    pledge.pledgor_credit_code = draft.pledgor_credit_code
    pledge.pledgor_company_id = company.id if company else None
    pledge.pledgee_name = draft.pledgee_name
    pledge.pledgee_kind = draft.pledgee_kind
    pledge.patents = [{"number": p.number, "main_ipc": p.main_ipc} for p in draft.patents]
    pledge.amount_fen = yuan_to_fen(draft.amount_yuan)
    pledge.registered_on = draft.registered_on
    pledge.debt_from = draft.debt_from
    pledge.debt_to = draft.debt_to
    pledge.field = draft.field or (company.field if company else "") or ""
    pledge.town = draft.town or (company.town if company else "") or ""
    pledge.offer_id = resolved.offer_id
    pledge.warnings = list(draft.warnings)


def new_pledge(resolved: Resolved, actor: Actor) -> Pledge:
    """An unsaved registration from a checked draft (the import builds many in one transaction); an imported
    registry row keeps its status (变更, 注销 with its date)."""
    draft = resolved.draft
    pledge = Pledge(
        registration_number=draft.registration_number,
        pledgor_name=draft.pledgor_name,
        pledgor_credit_code=draft.pledgor_credit_code,
        pledgee_name=draft.pledgee_name,
        pledgee_kind=draft.pledgee_kind,
        amount_fen=0,
        registered_on=draft.registered_on,
        status=draft.status,
        cancelled_on=draft.cancelled_on,
        created_by=actor.id,
    )
    _apply(pledge, resolved)
    return pledge


def audit_created(session: Session, actor: Actor, pledge: Pledge, note: str = "") -> None:
    """One audit row per filled field of a new registration (old = none)."""
    assert pledge.id is not None
    for name, value in _snapshot(pledge).items():
        if value is not None and value != "":
            audit.record(
                session,
                user_id=actor.id,
                username=actor.username,
                entity="pledge",
                entity_id=pledge.id,
                action="create",
                field=name,
                new=value,
                note=note,
            )


def create_pledge(session: Session, actor: Actor, reference: Reference, raw: Mapping[str, object]) -> Pledge:
    """Record a new registration (status 登记) from form or API input; nothing is written unless every field
    is acceptable."""
    authorize(actor, "pledge.manage")
    resolved = check(session, reference, raw)
    pledge = new_pledge(resolved, actor)
    session.add(pledge)
    session.flush()
    audit_created(session, actor, pledge)
    return pledge


def get_pledge(session: Session, pledge_id: int) -> Pledge:
    pledge = session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound(f"质押登记 #{pledge_id} 不存在")
    return pledge


def as_input(pledge: Pledge) -> dict[str, str]:
    """A stored registration as form values (amount in 元, exact)."""
    return {
        "registration_number": pledge.registration_number, "pledgor": pledge.pledgor_name,
        "pledgor_credit_code": pledge.pledgor_credit_code, "pledgee": pledge.pledgee_name,
        "pledgee_kind": pledge.pledgee_kind, "patents": format_patents(patents_of(pledge)),
        "amount_yuan": str(fen_to_yuan(pledge.amount_fen)), "registered_on": pledge.registered_on.isoformat(),
        "debt_from": pledge.debt_from.isoformat() if pledge.debt_from else "",
        "debt_to": pledge.debt_to.isoformat() if pledge.debt_to else "",
        "field": pledge.field, "town": pledge.town,
    }  # fmt: skip


def _change_date(text: object, pledge: Pledge, name: str, label: str) -> date:
    """The date of a 变更 or 注销: required, a real date, never before the registration."""
    raw = str(text or "").strip()
    if not raw:
        raise ValidationFailed([FieldError(name, f"请填写{label}")])
    try:
        when = parse_date(raw)
    except ValueError as exc:
        raise ValidationFailed([FieldError(name, f"{label}「{raw}」{exc}")]) from None
    if when < pledge.registered_on:
        raise ValidationFailed(
            [FieldError(name, f"{label} {when.isoformat()} 早于登记日期 {pledge.registered_on.isoformat()}")]
        )
    return when


def change_pledge(
    session: Session, actor: Actor, reference: Reference, pledge_id: int, raw: Mapping[str, object]
) -> list[str]:
    """Record a 变更 (changed amount, patents, term, pledgee …) with its date; returns the changed fields, each
    audited old → new. A released registration cannot change."""
    authorize(actor, "pledge.manage")
    pledge = get_pledge(session, pledge_id)
    check_transition(pledge.status, "变更")
    changed_on = _change_date(raw.get("changed_on"), pledge, "changed_on", "变更日期")
    merged = {**as_input(pledge), **{k: v for k, v in raw.items() if k in INPUT_FIELDS}}
    resolved = check(session, reference, merged, exclude_id=pledge_id)
    before = _snapshot(pledge)
    _apply(pledge, resolved)
    after = _snapshot(pledge)
    if not [name for name in after if before.get(name) != after.get(name)]:
        raise ValidationFailed([FieldError("changed_on", "没有需要变更的内容")])
    pledge.status = "变更"
    pledge.changed_on = changed_on
    pledge.updated_at = utcnow()
    session.add(pledge)
    session.flush()
    changed = audit.record_changes(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="pledge",
        entity_id=pledge_id,
        before=before,
        after=_snapshot(pledge),
    )
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="pledge",
        entity_id=pledge_id,
        action="update",
        field="changed_on",
        new=changed_on.isoformat(),
    )
    return changed


def cancel_pledge(
    session: Session, actor: Actor, pledge_id: int, cancelled_on: object, reason: str
) -> Pledge:
    """注销: the pledge is released on ``cancelled_on``; the registration and its amount stay in the register."""
    authorize(actor, "pledge.manage")
    pledge = get_pledge(session, pledge_id)
    check_transition(pledge.status, "注销")
    when = _change_date(cancelled_on, pledge, "cancelled_on", "注销日期")
    reason = " ".join(reason.split())
    if len(reason) > 300:
        raise ValidationFailed([FieldError("reason", "注销原因不能超过 300 个字")])
    old_status = pledge.status
    pledge.status = "注销"
    pledge.cancelled_on = when
    pledge.updated_at = utcnow()
    session.add(pledge)
    session.flush()
    for name, old, new in (("status", old_status, "注销"), ("cancelled_on", None, when.isoformat())):
        audit.record(
            session,
            user_id=actor.id,
            username=actor.username,
            entity="pledge",
            entity_id=pledge_id,
            action="status",
            field=name,
            old=old,
            new=new,
            note=reason,
        )
    return pledge


def history(session: Session, pledge_id: int) -> list[AuditLog]:
    return audit.history(session, "pledge", pledge_id)


def _filtered(stmt: Any, filters: PledgeFilters) -> Any:
    if filters.status:
        stmt = stmt.where(Pledge.status == filters.status)
    if filters.pledgee:
        stmt = stmt.where(Pledge.pledgee_name == filters.pledgee)
    if filters.field:
        stmt = stmt.where(Pledge.field == filters.field)
    if filters.town:
        stmt = stmt.where(Pledge.town == filters.town)
    if filters.date_from:
        stmt = stmt.where(Pledge.registered_on >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Pledge.registered_on <= filters.date_to)
    if filters.q:
        q = filters.q
        stmt = stmt.where(
            or_(
                col(Pledge.registration_number).contains(q.upper()),
                col(Pledge.pledgor_name).contains(q),
                col(Pledge.pledgee_name).contains(q),
                col(Pledge.pledgor_credit_code).contains(q.upper()),
            )
        )
    return stmt


def _sum_fen() -> Any:
    return cast(func.coalesce(func.sum(Pledge.amount_fen), 0), BigInteger)


def list_pledges(
    session: Session, filters: PledgeFilters, *, page: int = 1, page_size: int | None = PAGE_SIZE
) -> tuple[list[Pledge], int, int]:
    """One page (newest registration first), the number matching, and their exact secured total in 分."""
    stmt = _filtered(select(Pledge), filters).order_by(
        col(Pledge.registered_on).desc(), col(Pledge.id).desc()
    )
    if page_size is not None:
        stmt = stmt.offset((max(page, 1) - 1) * page_size).limit(page_size)
    rows = list(session.exec(stmt))
    count, total = session.exec(
        _filtered(select(func.count(), _sum_fen()).select_from(Pledge), filters)
    ).one()
    return rows, int(count), int(total)


def pledgees(session: Session) -> list[str]:
    """Every pledgee named in the register, for the filter."""
    return list(session.exec(select(Pledge.pledgee_name).distinct().order_by(col(Pledge.pledgee_name))))


# --- the 知识产权质押融资 figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinancingRow:
    key: str
    label: str
    pledges: int
    amount_fen: int


def by_year(session: Session, date_from: date | None, date_to: date | None) -> dict[int, int]:
    """Secured amounts registered per year within the dates, in 分 (years without registrations left out)."""
    year = extract("year", col(Pledge.registered_on))
    stmt = _filtered(select(year, _sum_fen()), PledgeFilters(date_from=date_from, date_to=date_to))
    return {int(y): int(a) for y, a in session.exec(stmt.group_by(year)) if a}


def financing(session: Session, date_from: date | None, date_to: date | None) -> FinancingRow:
    """Registrations and their secured total (分) registered between the dates, inclusive."""
    stmt = _filtered(
        select(func.count(), _sum_fen()).select_from(Pledge),
        PledgeFilters(date_from=date_from, date_to=date_to),
    )
    count, amount = session.exec(stmt).one()
    return FinancingRow("total", "合计", int(count), int(amount))


def breakdown(session: Session, date_from: date | None, date_to: date | None, by: str) -> list[FinancingRow]:
    """Financing grouped by pledgee (bank), field or town, largest first."""
    if by not in BREAKDOWNS:
        raise ValidationFailed([FieldError("by", f"分组方式「{by}」无效，应为 {'、'.join(BREAKDOWNS)} 之一")])
    key = _BREAKDOWN_COLUMNS[by]
    stmt = _filtered(
        select(key, func.count(), _sum_fen()).select_from(Pledge),
        PledgeFilters(date_from=date_from, date_to=date_to),
    ).group_by(key)
    rows = [
        FinancingRow(str(value or ""), str(value) if value else UNSET, int(n), int(amount))
        for value, n, amount in session.exec(stmt)
    ]
    return sorted(rows, key=lambda r: (-r.amount_fen, r.label))
