"""Technology contracts: record, change and void them, each step checked and audited field by field.

A contract is never deleted. Voiding keeps the record and its history and takes it out of turnover (the
``contract_stat`` triggers see ``voided`` change). Amounts are stored as integer 分; the audit trail shows
them in 元 with two decimals, so the bureau reads 「1,250,000.00 → 1,300,000.00」.

Parties: the seller is one of the platform's institutions (any spelling the normaliser knows); the buyer is
a company identified by its 统一社会信用代码. Registration certifies contracts the other way round too (a
company selling to an institution), so a company seller is accepted when the buyer is an institution. A form
or API entry must name parties the platform knows (issue 7: "unknown institution or company" is an error);
the bulk import takes the registration system's parties as certified (``strict_parties=False``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from matchmaker.domain.contracts import FIELD_LABELS, ContractDraft, validate_contract
from matchmaker.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from matchmaker.domain.money import (
    AmountError,
    fen_to_yuan,
    format_yuan,
    parse_wan_yuan,
    parse_yuan,
    yuan_to_fen,
)
from matchmaker.services import institutions, versions
from matchmaker.services.permissions import Actor, authorize
from matchmaker.services.reference import Reference
from matchmaker.storage import audit
from matchmaker.storage.models import (
    Company,
    Contract,
    Event,
    EventPair,
    Institution,
    Meeting,
    MeetingRequest,
    Need,
    Offer,
)

#: Form and API inputs, in the order the form shows them.
INPUT_FIELDS = (
    "registration_number", "title", "contract_type", "seller", "buyer", "buyer_credit_code", "amount_yuan",
    "technology_amount_yuan", "signed_on", "registered_on", "valid_from", "valid_to", "field", "town",
    "offer_id", "need_id", "event_id", "meeting_id",
)  # fmt: skip
LINKS: dict[str, tuple[Any, str]] = {"offer_id": (Offer, "专利成果"), "need_id": (Need, "技术需求"), "event_id": (Event, "对接会"),
         "meeting_id": (Meeting, "对接会会谈")}  # fmt: skip

#: What the history page calls each audited field.
AUDIT_LABELS: Mapping[str, str] = {
    **FIELD_LABELS,
    "amount_yuan": "合同成交额（元）",
    "sub_type": "子类",
    "seller": "卖方",
    "valid_from": "有效期起",
    "valid_to": "有效期止",
    "offer_id": "关联专利成果",
    "need_id": "关联技术需求",
    "event_id": "关联对接会",
    "meeting_id": "关联会谈",
    "voided": "作废",
    "void_reason": "作废原因",
}
PAGE_SIZE = 50


@dataclass(frozen=True)
class ContractFilters:
    """The contract list's filters; empty means "any"."""

    q: str = ""
    year: int | None = None
    field: str = ""
    town: str = ""
    contract_type: str = ""
    include_voided: bool = False


def understood_amounts(raw: Mapping[str, object]) -> dict[str, str]:
    """What the amount inputs were read as (「123.5万 → 1,235,000.00 元」), shown beside the fields; an amount
    that cannot be read is left out here and reported by validation."""
    out: dict[str, str] = {}
    for name in ("amount_yuan", "technology_amount_yuan"):
        text = str(raw.get(name) or "").strip()
        if text:
            try:
                out[name] = parse_yuan(text).understood
            except AmountError:
                continue
    wan = str(raw.get("amount_wan") or "").strip()
    if wan:
        try:
            out["amount_wan"] = parse_wan_yuan(wan).understood
        except AmountError:
            pass
    return out


def _optional_id(raw: Mapping[str, object], name: str, errors: list[FieldError]) -> int | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit():
        errors.append(FieldError(name, f"{AUDIT_LABELS[name]}应为编号（正整数），现为「{text}」"))
        return None
    return int(text)


@dataclass(frozen=True)
class Resolved:
    """A draft plus the records it points to."""

    draft: ContractDraft
    seller_institution_id: int | None
    buyer_company_id: int | None
    links: dict[str, int | None]


def resolve_parties(
    session: Session, draft: ContractDraft, *, strict: bool
) -> tuple[int | None, int | None, list[FieldError]]:
    """Seller institution id and buyer company id, or the reasons the parties are not acceptable."""
    errors: list[FieldError] = []
    seller = institutions.by_name(session, draft.seller_name) if draft.seller_is_institution else None
    company = session.exec(select(Company).where(Company.credit_code == draft.buyer_credit_code)).first()
    if seller is None and not draft.buyer_is_institution:
        names = "、".join(i.canonical_name for i in institutions.all_institutions(session))
        errors.append(
            FieldError(
                "seller",
                f"卖方「{draft.seller_name}」不是平台登记的单位（{names}），请核对名称或请管理员添加别名",
            )
        )
    elif (
        seller is None
        and strict
        and session.exec(select(Company).where(Company.name == draft.seller_name)).first() is None
    ):
        errors.append(
            FieldError("seller", f"卖方「{draft.seller_name}」既不是平台登记的单位，也不是平台登记的企业")
        )
    if not draft.buyer_is_institution and company is None and strict:
        errors.append(
            FieldError(
                "buyer_credit_code",
                f"统一社会信用代码为 {draft.buyer_credit_code} 的企业尚未在平台登记，请核对代码，或先登记该企业",
            )
        )
    return (
        (seller.id if seller else None),
        (company.id if company and not draft.buyer_is_institution else None),
        errors,
    )


def _check(
    session: Session,
    reference: Reference,
    raw: Mapping[str, object],
    *,
    strict_parties: bool,
    exclude_id: int | None = None,
) -> Resolved:
    """Every problem at once: the domain's field rules, then parties, uniqueness, field and links."""
    errors: list[FieldError] = []
    draft: ContractDraft | None = None
    try:
        draft = validate_contract(raw, normalizer=institutions.normalizer(session), towns=reference.towns)
    except ValidationFailed as failed:
        errors.extend(failed.errors)
    links = {name: _optional_id(raw, name, errors) for name in LINKS}
    for name, link_id in links.items():
        model, label = LINKS[name]
        if link_id is not None and session.get(model, link_id) is None:
            errors.append(FieldError(name, f"关联的{label} #{link_id} 不存在"))
    seller_id = company_id = None
    if draft is not None:
        seller_id, company_id, party_errors = resolve_parties(session, draft, strict=strict_parties)
        errors.extend(party_errors)
        stmt = select(Contract).where(Contract.registration_number == draft.registration_number)
        if exclude_id is not None:
            stmt = stmt.where(Contract.id != exclude_id)
        existing = session.exec(stmt).first()
        if existing is not None:
            errors.append(
                FieldError(
                    "registration_number",
                    f"合同登记编号 {draft.registration_number} 已被登记：合同 #{existing.id}《{existing.title}》",
                )
            )
        if draft.field and reference.contract_fields and draft.field not in reference.contract_fields:
            errors.append(FieldError("field", f"技术领域「{draft.field}」不在合同技术领域列表中"))
    if errors or draft is None:
        raise ValidationFailed(errors)
    return Resolved(draft, seller_id, company_id, links)


def _snapshot(contract: Contract) -> dict[str, Any]:
    """The audited view of a contract: amounts in 元 with two decimals, dates ISO, empty links as None."""
    return {
        "registration_number": contract.registration_number,
        "title": contract.title,
        "contract_type": contract.contract_type,
        "sub_type": contract.sub_type or None,
        "seller": contract.seller_name,
        "buyer": contract.buyer_name,
        "buyer_credit_code": contract.buyer_credit_code,
        "amount_yuan": format_yuan(fen_to_yuan(contract.amount_fen)),
        "technology_amount_yuan": format_yuan(fen_to_yuan(contract.technology_amount_fen)),
        "signed_on": contract.signed_on.isoformat(),
        "registered_on": contract.registered_on.isoformat(),
        "valid_from": contract.valid_from.isoformat() if contract.valid_from else None,
        "valid_to": contract.valid_to.isoformat() if contract.valid_to else None,
        "field": contract.field or None,
        "town": contract.town or None,
        **{name: getattr(contract, name) for name in LINKS},
    }


def _apply(contract: Contract, resolved: Resolved) -> None:
    draft = resolved.draft
    contract.registration_number = draft.registration_number
    contract.title = draft.title
    contract.contract_type = draft.contract_type
    contract.sub_type = draft.sub_type or ""
    contract.seller_name = draft.seller_name
    contract.seller_institution_id = resolved.seller_institution_id
    contract.buyer_name = draft.buyer_name
    contract.buyer_credit_code = draft.buyer_credit_code
    contract.buyer_company_id = resolved.buyer_company_id
    contract.amount_fen = yuan_to_fen(draft.amount_yuan)
    contract.technology_amount_fen = yuan_to_fen(draft.technology_amount_yuan)
    contract.signed_on = draft.signed_on
    contract.registered_on = draft.registered_on
    contract.valid_from = draft.valid_from
    contract.valid_to = draft.valid_to
    contract.field = draft.field or ""
    contract.town = draft.town or ""
    contract.warnings = list(draft.warnings)
    for name, value in resolved.links.items():
        setattr(contract, name, value)


def new_contract(resolved: Resolved, actor: Actor) -> Contract:
    """An unsaved contract from a checked draft (the import builds many of these in one transaction)."""
    draft = resolved.draft
    contract = Contract(
        registration_number=draft.registration_number,
        title=draft.title,
        contract_type=draft.contract_type,
        seller_name=draft.seller_name,
        buyer_name=draft.buyer_name,
        buyer_credit_code=draft.buyer_credit_code,
        amount_fen=0,
        technology_amount_fen=0,
        signed_on=draft.signed_on,
        registered_on=draft.registered_on,
        created_by=actor.id,
    )
    _apply(contract, resolved)
    return contract


def audit_created(session: Session, actor: Actor, contract: Contract, note: str = "") -> None:
    """One audit row per filled field of a new contract (old = none)."""
    assert contract.id is not None
    for name, value in _snapshot(contract).items():
        if value is not None:
            audit.record(
                session,
                user_id=actor.id,
                username=actor.username,
                entity="contract",
                entity_id=contract.id,
                action="create",
                field=name,
                new=value,
                note=note,
            )


def create_contract(
    session: Session, actor: Actor, reference: Reference, raw: Mapping[str, object]
) -> Contract:
    """Record a contract from form or API input; nothing is written unless every field is acceptable."""
    authorize(actor, "contract.manage")
    resolved = _check(session, reference, raw, strict_parties=True)
    contract = new_contract(resolved, actor)
    session.add(contract)
    session.flush()
    audit_created(session, actor, contract)
    return contract


def get_contract(session: Session, contract_id: int) -> Contract:
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFound(f"技术合同 #{contract_id} 不存在")
    return contract


def as_input(contract: Contract) -> dict[str, str]:
    """A stored contract as form values (amounts in 元, exact)."""
    return {
        "version": str(contract.version),
        "registration_number": contract.registration_number, "title": contract.title,
        "contract_type": contract.contract_type + (f"（{contract.sub_type}）" if contract.sub_type else ""),
        "seller": contract.seller_name, "buyer": contract.buyer_name, "buyer_credit_code": contract.buyer_credit_code,
        "amount_yuan": str(fen_to_yuan(contract.amount_fen)),
        "technology_amount_yuan": str(fen_to_yuan(contract.technology_amount_fen)),
        "signed_on": contract.signed_on.isoformat(), "registered_on": contract.registered_on.isoformat(),
        "valid_from": contract.valid_from.isoformat() if contract.valid_from else "",
        "valid_to": contract.valid_to.isoformat() if contract.valid_to else "",
        "field": contract.field, "town": contract.town,
        **{name: str(getattr(contract, name) or "") for name in LINKS},
    }  # fmt: skip


def update_contract(
    session: Session, actor: Actor, reference: Reference, contract_id: int, raw: Mapping[str, object]
) -> list[str]:
    """Change a contract; returns the changed fields (each audited old → new). Parties are held to the form's
    rules only when they change, so an imported company-seller contract can still have its amount corrected."""
    authorize(actor, "contract.manage")
    contract = get_contract(session, contract_id)
    if contract.voided:
        raise Conflict("已作废的合同不能修改")
    merged = {**as_input(contract), **{k: v for k, v in raw.items() if k in INPUT_FIELDS}}
    parties_changed = any(
        str(merged.get(k) or "").strip() != as_input(contract)[k]
        for k in ("seller", "buyer", "buyer_credit_code")
    )
    resolved = _check(session, reference, merged, strict_parties=parties_changed, exclude_id=contract_id)
    before = _snapshot(contract)
    _apply(contract, resolved)
    versions.check(
        session, contract, versions.submitted_version(raw), entity="contract", noun="技术合同",
        current=before, mine=_snapshot(contract), labels=AUDIT_LABELS,
    )  # fmt: skip
    session.add(contract)
    session.flush()
    return audit.record_changes(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="contract",
        entity_id=contract_id,
        before=before,
        after=_snapshot(contract),
    )


def void_contract(session: Session, actor: Actor, contract_id: int, reason: str) -> Contract:
    """Take a contract out of turnover for good, with the reason in the record and the trail."""
    authorize(actor, "contract.manage")
    contract = get_contract(session, contract_id)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationFailed([FieldError("reason", "请填写作废原因")])
    if len(reason) > 300:
        raise ValidationFailed([FieldError("reason", "作废原因不能超过 300 个字")])
    if contract.voided:
        raise Conflict(f"合同 {contract.registration_number} 已于此前作废")
    contract.voided = True
    contract.void_reason = reason
    session.add(contract)
    session.flush()
    for name, old, new in (("voided", "否", "是"), ("void_reason", None, reason)):
        audit.record(
            session,
            user_id=actor.id,
            username=actor.username,
            entity="contract",
            entity_id=contract_id,
            action="void",
            field=name,
            old=old,
            new=new,
            note=reason,
        )
    return contract


def history(session: Session, contract_id: int) -> list[Any]:
    return audit.history(session, "contract", contract_id)


def _filtered(stmt: Any, filters: ContractFilters) -> Any:
    if not filters.include_voided:
        stmt = stmt.where(col(Contract.voided).is_(False))
    if filters.year:
        stmt = stmt.where(
            Contract.registered_on >= date(filters.year, 1, 1),
            Contract.registered_on <= date(filters.year, 12, 31),
        )
    if filters.field:
        stmt = stmt.where(Contract.field == filters.field)
    if filters.town:
        stmt = stmt.where(Contract.town == filters.town)
    if filters.contract_type:
        stmt = stmt.where(Contract.contract_type == filters.contract_type)
    if filters.q:
        q = filters.q.strip()
        stmt = stmt.where(
            or_(
                col(Contract.registration_number).contains(q),
                col(Contract.title).contains(q),
                col(Contract.seller_name).contains(q),
                col(Contract.buyer_name).contains(q),
            )
        )
    return stmt


#: the list's sortable columns (``sort=key`` ascending, ``sort=-key`` descending)
SORTS: Mapping[str, Any] = {
    "registered_on": Contract.registered_on,
    "amount": Contract.amount_fen,
    "number": Contract.registration_number,
    "type": Contract.contract_type,
    "field": Contract.field,
    "town": Contract.town,
}
DEFAULT_SORT = "-registered_on"


def list_contracts(
    session: Session,
    filters: ContractFilters,
    *,
    page: int = 1,
    page_size: int | None = PAGE_SIZE,
    sort: str = DEFAULT_SORT,
) -> tuple[list[Contract], int, int]:
    """One page of matching contracts (newest registration first unless ``sort`` names a column of
    :data:`SORTS`), the number matching, and the exact sum in 分 of the non-voided ones among them."""
    column = col(SORTS.get(sort.lstrip("-"), Contract.registered_on))
    order = column.desc() if sort.startswith("-") or sort.lstrip("-") not in SORTS else column.asc()
    stmt = _filtered(select(Contract), filters).order_by(order, col(Contract.id).desc())
    if page_size is not None:
        stmt = stmt.offset((page - 1) * page_size).limit(page_size)
    rows = list(session.exec(stmt))
    count_stmt = _filtered(select(func.count()).select_from(Contract), filters)
    total = int(session.exec(count_stmt).one())
    sum_filters = ContractFilters(**{**filters.__dict__, "include_voided": False})
    sum_stmt = _filtered(
        select(func.coalesce(func.sum(Contract.amount_fen), 0)).select_from(Contract), sum_filters
    )
    return rows, total, int(session.exec(sum_stmt).one())


def prefill_from_meeting(
    session: Session, reference: Reference, meeting_id: int
) -> tuple[dict[str, str], str]:
    """Form values for a contract that came out of a docking-event meeting (签约 outcome): seller = the offer's
    institution, buyer = the need's company, the field mapped from the offer's industry field, the company's
    town, and links to event, meeting, offer and need. Also a one-line description of the meeting."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"会谈 #{meeting_id} 不存在")
    pair = session.get(EventPair, meeting.pair_id)
    event = session.get(Event, meeting.event_id)
    offer = session.get(Offer, pair.offer_id) if pair and pair.offer_id else None
    need = session.get(Need, pair.need_id) if pair and pair.need_id else None
    company = session.get(Company, need.company_id) if need else None
    institution = session.get(Institution, offer.institution_id) if offer else None
    industry_field = offer.field if offer else (need.field if need else "")
    contract_field = next(
        (
            name
            for name, industry in reference.contract_field_to_industry.items()
            if industry == industry_field
        ),
        "",
    )
    values = {
        "title": offer.title if offer else "",
        "seller": institution.canonical_name if institution else "",
        "buyer": company.name if company else "",
        "buyer_credit_code": company.credit_code if company else "",
        "field": contract_field,
        "town": company.town if company and company.town in reference.towns else "",
        "event_id": str(meeting.event_id),
        "meeting_id": str(meeting_id),
        "offer_id": str(offer.id) if offer else "",
        "need_id": str(need.id) if need else "",
    }
    outcome = meeting.outcome or "未记录"
    description = f"来自对接会「{event.name if event else ''}」的会谈 #{meeting_id}（结果：{outcome}）"
    return values, description


def prefill_from_request(
    session: Session, reference: Reference, request_id: int
) -> tuple[dict[str, str], str]:
    """Form values for a contract from a meeting agreed after an accepted request (签约 outcome): seller = the
    offer's institution, buyer = the requesting company, field and town as for event meetings, and links to
    the offer and need. Also a one-line description of where it came from."""
    request = session.get(MeetingRequest, request_id)
    if request is None:
        raise NotFound(f"会谈请求 #{request_id} 不存在")
    offer = session.get(Offer, request.offer_id)
    need = session.get(Need, request.need_id) if request.need_id else None
    company = session.get(Company, request.company_id)
    institution = session.get(Institution, offer.institution_id) if offer else None
    industry_field = offer.field if offer else (need.field if need else "")
    contract_field = next(
        (
            name
            for name, industry in reference.contract_field_to_industry.items()
            if industry == industry_field
        ),
        "",
    )
    values = {
        "title": offer.title if offer else "",
        "seller": institution.canonical_name if institution else "",
        "buyer": company.name if company else "",
        "buyer_credit_code": company.credit_code if company else "",
        "field": contract_field,
        "town": company.town if company and company.town in reference.towns else "",
        "offer_id": str(offer.id) if offer else "",
        "need_id": str(need.id) if need else "",
    }
    return values, f"来自会谈请求 #{request_id}（双方约谈后签约）"
