"""Technology needs: post, edit, move through the status flow, and show — with private fields masked.

**The privacy rule lives in one function, :func:`visible_need`.** Every page, JSON answer and export that shows
a need builds it through that function, so a need's contact and budget reach another company only when the
owning company switched them public. The owning company's users, organizers, the bureau and admins see
everything (organizers need the budget to pair needs with offers, the bureau for its statistics).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from matchmaker.domain.errors import Conflict, NotFound
from matchmaker.domain.local_time import local_time
from matchmaker.domain.needs import FIELD_LABELS, NeedDraft, budget_text, check_transition, validate_need
from matchmaker.domain.vocab import NEED_STATUSES, NEED_TRANSITIONS
from matchmaker.services import versions
from matchmaker.services.changes import announce
from matchmaker.services.permissions import Actor, authorize
from matchmaker.storage import audit, models
from matchmaker.storage.models import Company, utcnow

#: The need row services hand out; pages name its type through here, never through storage.
Need = models.Need


#: Roles that see every field of every need.
FULL_VIEW_ROLES = ("organizer", "bureau", "admin")
#: Shown instead of a private value; the same words on pages, in JSON and in exports.
HIDDEN = "（未公开）"
#: Needs in these states can no longer be edited: the story is over.
FINAL_STATUSES = tuple(s for s, nxt in NEED_TRANSITIONS.items() if not nxt)
#: Fields compared for the audit trail on edit.
_AUDITED = (
    "title",
    "description",
    "expected_outcome",
    "field",
    "budget_min_wan",
    "budget_max_wan",
    "coop_modes",
    "deadline",
    "contact",
    "contact_public",
    "budget_public",
)


@dataclass(frozen=True)
class NeedView:
    """A need as one particular actor may see it. Private values are already gone, not merely flagged."""

    id: int
    version: int
    company_id: int
    company_name: str
    title: str
    description: str
    expected_outcome: str
    field: str
    coop_modes: tuple[str, ...]
    deadline: date | None
    status: str
    created_at: datetime
    updated_at: datetime
    #: None when hidden from this actor
    contact: str | None
    budget_min_wan: int | None
    budget_max_wan: int | None
    budget_shown: bool
    contact_public: bool
    budget_public: bool
    #: the actor belongs to the owning company (or is an admin): may edit and change the status
    can_edit: bool

    @property
    def contact_text(self) -> str:
        return self.contact if self.contact is not None else HIDDEN

    @property
    def budget_text(self) -> str:
        return budget_text(self.budget_min_wan, self.budget_max_wan) if self.budget_shown else HIDDEN

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return NEED_TRANSITIONS.get(self.status, ()) if self.can_edit else ()

    def to_json(self) -> dict[str, Any]:
        """The API shape. Hidden values are null with ``*_hidden: true``, never the stored value."""
        return {
            "id": self.id,
            "version": self.version,
            "company_id": self.company_id,
            "company_name": self.company_name,
            "title": self.title,
            "description": self.description,
            "expected_outcome": self.expected_outcome,
            "field": self.field,
            "coop_modes": list(self.coop_modes),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "status": self.status,
            "contact": self.contact,
            "contact_hidden": self.contact is None,
            "budget_min_wan": self.budget_min_wan if self.budget_shown else None,
            "budget_max_wan": self.budget_max_wan if self.budget_shown else None,
            "budget_negotiable": (self.budget_min_wan is None and self.budget_max_wan is None)
            if self.budget_shown
            else None,
            "budget_hidden": not self.budget_shown,
            "budget_text": self.budget_text,
            "contact_public": self.contact_public,
            "budget_public": self.budget_public,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }

    def export_row(self) -> tuple[Any, ...]:
        return (
            self.id,
            self.title,
            self.company_name,
            self.field,
            self.status,
            self.budget_text,
            "、".join(self.coop_modes),
            self.deadline,
            self.contact_text,
            self.expected_outcome,
            local_time(self.created_at),
        )


EXPORT_HEADERS = (
    "编号",
    "需求名称",
    "企业",
    "领域",
    "状态",
    "预算",
    "合作方式",
    "截止日期",
    "联系方式",
    "预期成果",
    "发布时间",
)


def sees_everything(actor: Actor | None, need: Need) -> bool:
    if actor is None:
        return False
    if actor.role in FULL_VIEW_ROLES:
        return True
    return actor.role == "sme" and actor.company_id is not None and actor.company_id == need.company_id


def visible_need(
    need: Need, actor: Actor | None, company_name: str = "", *, counterpart: bool = False
) -> NeedView:
    """THE masking function: what ``actor`` may see of ``need``. Everything that shows a need calls this.

    ``counterpart``: the actor is the other side of an accepted meeting request about this need (the caller,
    ``services.requests``, has checked that); they see the contact so the two can meet. The budget, and the
    contact for everyone else, stay governed by the need's own settings."""
    full = sees_everything(actor, need)
    budget_shown = full or need.budget_public
    assert need.id is not None
    return NeedView(
        id=need.id,
        version=need.version,
        company_id=need.company_id,
        company_name=company_name,
        title=need.title,
        description=need.description,
        expected_outcome=need.expected_outcome,
        field=need.field,
        coop_modes=tuple(need.coop_modes),
        deadline=need.deadline,
        status=need.status,
        created_at=need.created_at,
        updated_at=need.updated_at,
        contact=need.contact if (full or need.contact_public or counterpart) else None,
        budget_min_wan=need.budget_min_wan if budget_shown else None,
        budget_max_wan=need.budget_max_wan if budget_shown else None,
        budget_shown=budget_shown,
        contact_public=need.contact_public,
        budget_public=need.budget_public,
        can_edit=actor is not None
        and (
            actor.is_admin
            or (actor.role == "sme" and actor.company_id is not None and actor.company_id == need.company_id)
        ),
    )


def _pairs(rows: Iterable[Any]) -> dict[Any, Any]:
    """``{id: name}`` from two-column rows."""
    return {key: value for key, value in rows}


def views(session: Session, needs: Sequence[Need], actor: Actor | None) -> list[NeedView]:
    """Masked views of several needs, with their company names looked up in one query."""
    ids = {n.company_id for n in needs}
    names = (
        _pairs(session.exec(select(Company.id, Company.name).where(col(Company.id).in_(ids)))) if ids else {}
    )
    return [visible_need(n, actor, names.get(n.company_id, "")) for n in needs]


def view_one(session: Session, need_id: int, actor: Actor | None) -> NeedView:
    return views(session, [get_need(session, need_id)], actor)[0]


def get_need(session: Session, need_id: int) -> Need:
    need = session.get(Need, need_id)
    if need is None:
        raise NotFound("技术需求不存在")
    return need


@dataclass(frozen=True)
class NeedFilters:
    status: str = ""
    field: str = ""
    q: str = ""
    company_id: int | None = None


@dataclass(frozen=True)
class NeedPage:
    items: list[NeedView]
    total: int
    page: int
    pages: int


def list_needs(
    session: Session, actor: Actor | None, filters: NeedFilters, *, page: int = 1, per_page: int = 20
) -> NeedPage:
    """Filtered, newest first. The keyword filter reads title, description and expected outcome only — never the
    contact or budget, so a filter cannot be used to probe a private value either."""
    stmt = select(Need)
    if filters.status in NEED_STATUSES:
        stmt = stmt.where(Need.status == filters.status)
    if filters.field:
        stmt = stmt.where(Need.field == filters.field)
    if filters.company_id is not None:
        stmt = stmt.where(Need.company_id == filters.company_id)
    if filters.q:
        stmt = stmt.where(
            or_(
                col(Need.title).contains(filters.q),
                col(Need.description).contains(filters.q),
                col(Need.expected_outcome).contains(filters.q),
            )
        )
    total = int(session.exec(select(func.count()).select_from(stmt.subquery())).one())
    pages = max(1, -(-total // per_page)) if per_page else 1
    page = min(max(1, page), pages)
    stmt = stmt.order_by(col(Need.id).desc())
    if per_page:
        stmt = stmt.offset((page - 1) * per_page).limit(per_page)
    return NeedPage(views(session, list(session.exec(stmt)), actor), total, page, pages)


def _draft_values(draft: NeedDraft) -> dict[str, Any]:
    return {
        "title": draft.title,
        "description": draft.description,
        "expected_outcome": draft.expected_outcome,
        "field": draft.field,
        "budget_min_wan": draft.budget_min_wan,
        "budget_max_wan": draft.budget_max_wan,
        "coop_modes": list(draft.coop_modes),
        "deadline": draft.deadline,
        "contact": draft.contact,
        "contact_public": draft.contact_public,
        "budget_public": draft.budget_public,
    }


def create_need(
    session: Session,
    actor: Actor,
    raw: Mapping[str, object],
    *,
    fields: Collection[str],
    today: date,
    company_id: int | None = None,
) -> Need:
    """Post a need for the actor's company (an admin names the company)."""
    target = company_id if (actor.is_admin and company_id is not None) else actor.company_id
    if target is None and (actor.is_admin or actor.role == "sme"):
        raise Conflict("请先登记您所在的企业，再发布技术需求")
    authorize(actor, "need.create", target)  # any other role is refused before anything is looked up
    if target is None or session.get(Company, target) is None:
        raise NotFound("企业不存在")
    draft = validate_need(raw, fields=fields, today=today)
    return store_need(session, actor, target, draft, note="")


def store_need(session: Session, actor: Actor, company_id: int, draft: NeedDraft, *, note: str) -> Need:
    """Store a validated need of a resolved company, open, audited with ``note`` (the form's need has none,
    an import says so), the matcher told after commit."""
    need = Need(company_id=company_id, created_by=actor.id, status="开放", **_draft_values(draft))
    session.add(need)
    session.flush()
    assert need.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="need",
        entity_id=need.id,
        action="create",
        new=need.title,
        note=note,
    )
    announce(session, "need", [need.id], "created")
    return need


def need_for_edit(session: Session, actor: Actor, need_id: int) -> Need:
    """The need, if ``actor`` may edit it now (its company's user or an admin, and not yet 已解决/关闭)."""
    need = get_need(session, need_id)
    authorize(actor, "need.edit", need)
    if need.status in FINAL_STATUSES:
        raise Conflict(f"需求状态为「{need.status}」，不能再修改")
    return need


def update_need(
    session: Session,
    actor: Actor,
    need_id: int,
    raw: Mapping[str, object],
    *,
    fields: Collection[str],
    today: date,
) -> Need:
    need = need_for_edit(session, actor, need_id)
    draft = validate_need(raw, fields=fields, today=today, previous_deadline=need.deadline)
    before = {name: getattr(need, name) for name in _AUDITED}
    after = _draft_values(draft)
    versions.check(
        session, need, versions.submitted_version(raw), entity="need", noun="技术需求",
        current=before, mine=after, labels=FIELD_LABELS,
    )  # fmt: skip
    for name, value in after.items():
        setattr(need, name, value)
    changed = audit.record_changes(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="need",
        entity_id=need_id,
        before=before,
        after=after,
    )
    if changed:
        need.updated_at = utcnow()
        announce(session, "need", [need_id], "updated")
    session.add(need)
    return need


def change_status(session: Session, actor: Actor, need_id: int, new_status: str) -> Need:
    need = get_need(session, need_id)
    authorize(actor, "need.status", need)
    check_transition(need.status, new_status)
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="need",
        entity_id=need_id,
        action="status",
        field="status",
        old=need.status,
        new=new_status,
    )
    need.status = new_status
    need.updated_at = utcnow()
    session.add(need)
    announce(session, "need", [need_id], "status")
    return need


def needs_of_company(session: Session, company_id: int) -> list[Need]:
    return list(session.exec(select(Need).where(Need.company_id == company_id).order_by(col(Need.id).desc())))
