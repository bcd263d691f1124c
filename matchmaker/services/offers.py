"""Patent offers (专利成果): create, edit, change status, list and read, with duplicates and visibility.

Rules of issue 4 kept here, shared by the web form, the JSON API and the CLI:

- every write calls ``authorize`` (``offer.create`` / ``offer.edit`` / ``offer.status``) with the offer's
  institution, and is audited in the same transaction (create; one row per changed field; status);
- the same patent (same bare digits) is refused naming the existing offer; a near-identical title from the same
  institution is refused until the person confirms (``confirm_duplicate``) — never silently stored twice;
- 发布 and 已转化 offers are read by everyone logged in; 草稿 and 撤回 only by the owning institution and admins;
- each write is announced (``services/changes.py``): after the caller's transaction commits the offer listeners
  hear ``(offer_id, change)``, so the matcher can re-index without this module knowing about it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exc
from sqlmodel import Session, col, func, or_, select

from matchmaker.domain.errors import FieldError, NotFound, ValidationFailed
from matchmaker.domain.offers import FIELD_LABELS, OfferDraft, near_duplicate_title, validate_offer
from matchmaker.domain.vocab import OFFER_STATUSES, OFFER_TRANSITIONS, PUBLIC_OFFER_STATUSES
from matchmaker.services import institutions, versions
from matchmaker.services.changes import announce
from matchmaker.services.permissions import Actor, allowed, authorize
from matchmaker.storage import audit, models
from matchmaker.storage.models import AuditLog, Institution, OpenLicence, utcnow

#: The offer row services hand out; pages name its type through here, never through storage.
Offer = models.Offer

log = logging.getLogger("matchmaker.offers")

#: Statuses a new offer may start in: a draft, or published at once (草稿 → 发布 in one step).
INITIAL_STATUSES = ("草稿", "发布")
#: The fields a person edits, in form order; their old → new values go to the audit log.
EDITABLE_FIELDS = (
    "title", "abstract", "claims", "application_number", "patent_type", "legal_status", "ipc", "inventors",
    "institution", "transfer_modes", "price_wan", "trl", "field", "contact",
)  # fmt: skip
SORTS: Mapping[str, str] = {
    "updated": "最近更新",
    "created": "最新登记",
    "price_asc": "价格从低到高",
    "price_desc": "价格从高到低",
    "trl_desc": "成熟度从高到低",
    "title": "名称",
}
PER_PAGE = 20
# 面议 offers (no price) and offers without a TRL sort last whichever way the list is ordered.
_ORDER_BY: Mapping[str, tuple[Any, ...]] = {
    "updated": (col(Offer.updated_at).desc(),),
    "created": (col(Offer.created_at).desc(),),
    "price_asc": (col(Offer.price_wan).asc().nulls_last(),),
    "price_desc": (col(Offer.price_wan).desc().nulls_last(),),
    "trl_desc": (col(Offer.trl).desc().nulls_last(),),
    "title": (col(Offer.title).asc(),),
}


class DuplicateOffer(ValidationFailed):
    """The same patent is already listed (``probable`` False), or the same institution already has a
    near-identical title (``probable`` True: the person may confirm and submit again). ``offer_id`` is None when
    the person may not see the existing offer (another institution's draft): they learn only that it exists."""

    def __init__(self, errors: list[FieldError], offer_id: int | None, *, probable: bool) -> None:
        super().__init__(errors)
        self.offer_id = offer_id
        self.probable = probable


# --- input ----------------------------------------------------------------------------------------------------


def raw_from_values(values: Mapping[str, Any]) -> dict[str, object]:
    """Form or JSON values → the raw mapping ``validate_offer`` reads.

    Lists (JSON arrays, checkbox groups) become the separated text the validator splits; ``price_negotiable``
    (the form's 面议 checkbox) and a JSON ``null`` price mean 面议.
    """
    raw: dict[str, object] = {}
    separators = {"ipc": "; ", "inventors": "、", "transfer_modes": "、"}
    for name in EDITABLE_FIELDS:
        value = values.get(name)
        if isinstance(value, (list, tuple)):
            value = separators.get(name, " ").join(str(v) for v in value if v is not None)
        raw[name] = value
    if _truthy(values.get("price_negotiable")):
        raw["price_wan"] = "面议"
    return raw


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("1", "true", "on", "yes"))


# --- writes ---------------------------------------------------------------------------------------------------


def create_offer(
    session: Session,
    actor: Actor,
    values: Mapping[str, Any],
    *,
    fields: Collection[str],
    status: str = "草稿",
    confirm_duplicate: bool = False,
) -> Offer:
    """Validate, check duplicates, store and audit a new offer; a researcher's offer defaults to their
    institution. ``status`` 发布 publishes at once (the audit shows 草稿 → 发布)."""
    if status not in INITIAL_STATUSES:
        raise ValidationFailed([FieldError("status", f"新成果的状态只能是{'或'.join(INITIAL_STATUSES)}")])
    raw = raw_from_values(values)
    if not raw.get("institution") and actor.institution_id is not None:
        own = session.get(Institution, actor.institution_id)
        raw["institution"] = own.canonical_name if own else ""
    draft = _validate(fields, session, raw)
    institution = _institution_of(session, draft)
    authorize(actor, "offer.create", institution.id)
    _refuse_duplicates(
        session, actor, draft, institution, exclude_id=None, confirm_duplicate=confirm_duplicate
    )
    offer = Offer(status=status, created_by=actor.id, **offer_columns(draft, institution))
    session.add(offer)
    _flush_unique(session, draft)
    record_creation(session, actor, offer, note="已确认不是重复登记" if confirm_duplicate else "")
    announce(session, "offer", [offer.id or 0], "created")
    return offer


def update_offer(
    session: Session,
    actor: Actor,
    offer_id: int,
    values: Mapping[str, Any],
    *,
    fields: Collection[str],
    confirm_duplicate: bool = False,
) -> Offer:
    """Replace the editable fields; each changed field is one audit row (old → new)."""
    offer = _load(session, offer_id)
    authorize(actor, "offer.edit", offer)
    draft = _validate(fields, session, raw_from_values(values))
    institution = _institution_of(session, draft)
    if institution.id != offer.institution_id:
        authorize(actor, "offer.create", institution.id)
    _refuse_duplicates(
        session, actor, draft, institution, exclude_id=offer.id, confirm_duplicate=confirm_duplicate
    )
    previous = session.get(Institution, offer.institution_id)
    before = _snapshot(offer, previous.canonical_name if previous else "")
    for name, value in offer_columns(draft, institution).items():
        setattr(offer, name, value)
    after = _snapshot(offer, institution.canonical_name)
    versions.check(
        session, offer, versions.submitted_version(values), entity="offer", noun="专利成果",
        current=before, mine=after, labels=FIELD_LABELS,
    )  # fmt: skip
    changed = audit.record_changes(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="offer",
        entity_id=offer_id,
        before=before,
        after=after,
    )
    if changed:
        offer.updated_at = utcnow()
        session.add(offer)
        _flush_unique(session, draft)
        announce(session, "offer", [offer_id], "updated")
    return offer


def change_status(session: Session, actor: Actor, offer_id: int, new_status: str) -> Offer:
    """Move along ``OFFER_TRANSITIONS`` (草稿 → 发布 → 已转化 / 撤回, 撤回 → 草稿); anything else is refused."""
    offer = _load(session, offer_id)
    authorize(actor, "offer.status", offer)
    set_status(session, actor, offer, new_status)
    announce(session, "offer", [offer_id], "status")
    return offer


def set_status(session: Session, actor: Actor, offer: Offer, new_status: str) -> None:
    """The transition itself, inside the caller's transaction (the caller has authorized it)."""
    allowed_next = OFFER_TRANSITIONS.get(offer.status, ())
    if new_status not in allowed_next:
        if new_status not in OFFER_STATUSES:
            message = f"状态「{new_status}」无效，应为{'、'.join(OFFER_STATUSES)}之一"
        elif allowed_next:
            message = f"不能从「{offer.status}」改为「{new_status}」：「{offer.status}」只能改为{'或'.join(allowed_next)}"
        else:
            message = f"成果已是「{offer.status}」状态，不能再变更"
        raise ValidationFailed([FieldError("status", message)])
    _record_status(session, actor, offer, offer.status, new_status)
    offer.status = new_status
    offer.updated_at = utcnow()
    session.add(offer)


def record_creation(session: Session, actor: Actor, offer: Offer, *, note: str = "") -> None:
    """Audit a stored new offer. One stored as published also gets the 草稿 → 发布 step, so its trail reads the
    same whether it came from the form or from an import."""
    _audit(session, actor, offer, "create", new=offer.title, note=note)
    if offer.status != "草稿":
        _record_status(session, actor, offer, "草稿", offer.status)


def _record_status(session: Session, actor: Actor, offer: Offer, old: str, new: str) -> None:
    _audit(session, actor, offer, "status", field="status", old=old, new=new)


def _audit(session: Session, actor: Actor, offer: Offer, action: str, **values: str) -> None:
    assert offer.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="offer",
        entity_id=offer.id,
        action=action,
        **values,
    )


def _validate(fields: Collection[str], session: Session, raw: Mapping[str, object]) -> OfferDraft:
    return validate_offer(raw, fields=fields, normalizer=institutions.normalizer(session))


def _institution_of(session: Session, draft: OfferDraft) -> Institution:
    institution = institutions.by_name(session, draft.institution)
    if institution is None or institution.id is None:  # the normaliser only answers names it was built from
        raise ValidationFailed(
            [FieldError("institution", f"权利人「{draft.institution}」不是平台已登记的机构")]
        )
    return institution


def _refuse_duplicates(
    session: Session,
    actor: Actor,
    draft: OfferDraft,
    institution: Institution,
    *,
    exclude_id: int | None,
    confirm_duplicate: bool,
) -> None:
    same_patent = select(Offer).where(Offer.patent_key == draft.patent_key)
    if exclude_id is not None:
        same_patent = same_patent.where(Offer.id != exclude_id)
    existing = session.exec(same_patent).first()
    if existing is not None and existing.id is not None:
        if not can_read(actor, existing):
            raise DuplicateOffer(
                [
                    FieldError(
                        "application_number",
                        f"该专利（申请号 {draft.application_number}）已在平台登记，不能重复登记",
                    )
                ],
                None,
                probable=False,
            )
        raise DuplicateOffer(
            [
                FieldError(
                    "application_number",
                    f"该专利（申请号 {draft.application_number}）已登记为成果 #{existing.id}「{existing.title}」，"
                    f"不能重复登记（查看：/offers/{existing.id}）",
                )
            ],
            existing.id,
            probable=False,
        )
    if confirm_duplicate:
        return
    titles = select(Offer).where(Offer.institution_id == institution.id)
    if exclude_id is not None:
        titles = titles.where(Offer.id != exclude_id)
    for other in session.exec(titles):
        other_id, other_title = other.id, other.title
        if can_read(actor, other) and near_duplicate_title(draft.title, other_title):
            raise DuplicateOffer(
                [
                    FieldError(
                        "title",
                        f"本单位已有标题几乎相同的成果 #{other_id}「{other_title}」（查看：/offers/{other_id}）；"
                        "如确为不同专利，请勾选“确认不是重复登记”后再提交",
                    )
                ],
                other_id or 0,
                probable=True,
            )


def offer_columns(draft: OfferDraft, institution: Institution) -> dict[str, Any]:
    """A validated draft as the offer's column values (面议 is no price; a range keeps both bounds)."""
    assert institution.id is not None
    return {
        "title": draft.title, "abstract": draft.abstract, "claims": draft.claims,
        "application_number": draft.application_number, "patent_key": draft.patent_key,
        "patent_type": draft.patent_type, "legal_status": draft.legal_status or "", "ipc": list(draft.ipc),
        "inventors": list(draft.inventors), "institution_id": institution.id,
        "transfer_modes": list(draft.transfer_modes), "price_wan": draft.price_wan,
        "price_max_wan": draft.price_max_wan, "trl": draft.trl,
        "field": draft.field or "", "contact": draft.contact, "warnings": list(draft.warnings),
    }  # fmt: skip


def _flush_unique(session: Session, draft: OfferDraft) -> None:
    """Flush, turning a lost race on the unique patent key into the same message a person would get."""
    try:
        session.flush()
    except exc.IntegrityError as error:
        raise ValidationFailed(
            [
                FieldError(
                    "application_number",
                    f"该专利（申请号 {draft.application_number}）刚刚已被登记，不能重复登记",
                )
            ]
        ) from error


def _snapshot(offer: Offer, institution_name: str) -> dict[str, object]:
    """The editable fields as audit values (the institution by its name, not its id)."""
    return {
        name: institution_name if name == "institution" else getattr(offer, name) for name in EDITABLE_FIELDS
    }


def _load(session: Session, offer_id: int) -> Offer:
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise NotFound(f"专利成果 #{offer_id} 不存在")
    return offer


# --- reads ----------------------------------------------------------------------------------------------------


def can_read(actor: Actor, offer: Offer) -> bool:
    """Published and converted offers are public to logged-in users; drafts and withdrawn ones stay inside
    the owning institution (and admins)."""
    return (
        offer.status in PUBLIC_OFFER_STATUSES
        or actor.is_admin
        or (actor.role == "researcher" and actor.institution_id == offer.institution_id)
    )


def _visible(actor: Actor) -> ColumnElement[bool] | None:
    if actor.is_admin:
        return None
    public = col(Offer.status).in_(PUBLIC_OFFER_STATUSES)
    if actor.role == "researcher" and actor.institution_id is not None:
        return or_(public, col(Offer.institution_id) == actor.institution_id)
    return public


@dataclass(frozen=True)
class OfferFilters:
    """The list's filters; empty strings and ``None`` mean "any". Prices are integer 万元 (面议 offers have no
    price, so a price filter leaves them out)."""

    field: str = ""
    institution_id: int | None = None
    patent_type: str = ""
    legal_status: str = ""
    status: str = ""
    trl_min: int | None = None
    trl_max: int | None = None
    price_min_wan: int | None = None
    price_max_wan: int | None = None
    q: str = ""
    mine: bool = False
    #: only offers with a standing open licence (专利开放许可)
    open_licence: bool = False


@dataclass(frozen=True)
class OfferRow:
    offer: Offer
    institution: str
    open_licence: bool = False


@dataclass(frozen=True)
class OfferPage:
    rows: list[OfferRow]
    total: int
    page: int
    pages: int


def list_offers(
    session: Session,
    actor: Actor,
    filters: OfferFilters,
    *,
    sort: str = "updated",
    page: int = 1,
    per_page: int | None = PER_PAGE,
) -> OfferPage:
    """The offers ``actor`` may read, filtered, sorted and paged (``per_page=None``: all, for exports)."""
    conditions: list[ColumnElement[bool]] = []
    visible = _visible(actor)
    if visible is not None:
        conditions.append(visible)
    if filters.mine:
        if actor.institution_id is not None:
            conditions.append(col(Offer.institution_id) == actor.institution_id)
        else:
            conditions.append(col(Offer.created_by) == actor.id)
    for column, value in (
        (Offer.field, filters.field), (Offer.patent_type, filters.patent_type),
        (Offer.legal_status, filters.legal_status), (Offer.status, filters.status),
    ):  # fmt: skip
        if value:
            conditions.append(col(column) == value)
    if filters.institution_id is not None:
        conditions.append(col(Offer.institution_id) == filters.institution_id)
    if filters.trl_min is not None:
        conditions.append(col(Offer.trl) >= filters.trl_min)
    if filters.trl_max is not None:
        conditions.append(col(Offer.trl) <= filters.trl_max)
    if filters.price_min_wan is not None:
        conditions.append(col(Offer.price_wan) >= filters.price_min_wan)
    if filters.price_max_wan is not None:
        conditions.append(col(Offer.price_wan) <= filters.price_max_wan)
    if filters.q.strip():
        conditions.append(col(Offer.title).contains(filters.q.strip()))
    if filters.open_licence:
        standing = select(OpenLicence.offer_id).where(col(OpenLicence.withdrawn_at).is_(None))
        conditions.append(col(Offer.id).in_(standing))

    order = _ORDER_BY.get(sort, _ORDER_BY["updated"])
    total = session.exec(select(func.count()).select_from(Offer).where(*conditions)).one()
    stmt = select(Offer, Institution.canonical_name).join(
        Institution, col(Institution.id) == Offer.institution_id
    )
    stmt = stmt.where(*conditions).order_by(*order, col(Offer.id).desc())
    pages = max(1, math.ceil(total / per_page)) if per_page else 1
    page = min(max(1, page), pages)
    if per_page:
        stmt = stmt.offset((page - 1) * per_page).limit(per_page)
    found = list(session.exec(stmt))
    ids = [offer.id for offer, _name in found]
    declared: set[int] = set(
        session.exec(
            select(OpenLicence.offer_id).where(
                col(OpenLicence.offer_id).in_(ids), col(OpenLicence.withdrawn_at).is_(None)
            )
        )
    )
    rows = [OfferRow(offer, name, offer.id in declared) for offer, name in found]
    return OfferPage(rows=rows, total=total, page=page, pages=pages)


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    username: str
    old: str | None
    new: str | None
    note: str


@dataclass(frozen=True)
class OfferDetail:
    offer: Offer
    institution: Institution
    status_history: list[StatusChange]
    changes: list[AuditLog]
    can_edit: bool
    next_statuses: Sequence[str]


def get_offer(session: Session, actor: Actor, offer_id: int) -> OfferDetail:
    """One offer with its institution and trail; an offer ``actor`` may not read is reported as missing, so
    drafts do not leak their existence."""
    offer = _load(session, offer_id)
    if not can_read(actor, offer):
        raise NotFound(f"专利成果 #{offer_id} 不存在")
    institution = session.get(Institution, offer.institution_id)
    assert institution is not None
    trail = audit.history(session, "offer", offer_id)
    history = [
        StatusChange(
            e.at,
            e.username,
            None if e.action == "create" else e.old,
            "草稿" if e.action == "create" else e.new,
            e.note or ("登记" if e.action == "create" else ""),
        )
        for e in trail
        if e.action in ("create", "status")
    ]
    editable = allowed(actor, "offer.edit", offer)
    return OfferDetail(
        offer=offer,
        institution=institution,
        status_history=history,
        changes=[e for e in trail if e.action == "update"],
        can_edit=editable,
        next_statuses=OFFER_TRANSITIONS.get(offer.status, ())
        if allowed(actor, "offer.status", offer)
        else (),
    )


def form_values(offer: Offer, institution_name: str) -> dict[str, Any]:
    """An offer as the edit form shows it (lists as the text a person would type)."""
    return {
        "version": str(offer.version), "title": offer.title, "abstract": offer.abstract, "claims": offer.claims,
        "application_number": offer.application_number, "patent_type": offer.patent_type,
        "legal_status": offer.legal_status, "ipc": "\n".join(offer.ipc), "inventors": "、".join(offer.inventors),
        "institution": institution_name, "transfer_modes": list(offer.transfer_modes),
        "price_wan": "" if offer.price_wan is None else (
            f"{offer.price_wan}-{offer.price_max_wan}" if offer.price_max_wan else str(offer.price_wan)),
        "price_negotiable": "1" if offer.price_wan is None else "", "trl": "" if offer.trl is None else str(offer.trl),
        "field": offer.field, "contact": offer.contact,
    }  # fmt: skip


def as_json(offer: Offer, institution_name: str) -> dict[str, Any]:
    """The API's representation; ``price_wan`` null means 面议."""
    return {
        "id": offer.id, "version": offer.version, "title": offer.title, "abstract": offer.abstract,
        "claims": offer.claims, "application_number": offer.application_number, "patent_type": offer.patent_type,
        "legal_status": offer.legal_status or None, "ipc": list(offer.ipc), "inventors": list(offer.inventors),
        "institution_id": offer.institution_id, "institution": institution_name,
        "transfer_modes": list(offer.transfer_modes), "price_wan": offer.price_wan,
        "price_max_wan": offer.price_max_wan, "trl": offer.trl,
        "field": offer.field or None, "contact": offer.contact, "status": offer.status,
        "warnings": list(offer.warnings), "url": f"/offers/{offer.id}",
        "created_at": offer.created_at.isoformat(), "updated_at": offer.updated_at.isoformat(),
    }  # fmt: skip
