"""Open licences: researchers declare (and withdraw) an offer's open-licence terms; an SME takes a licence in
one step; the bureau registers the resulting 技术许可 contract.

Taking a licence writes the licence with the terms as declared at that moment, notifies the offer's
researchers, the company's users and every bureau account (the bureau's notice links to the contract form
filled from the licence), and nothing else: the contract is the bureau's record, registered when the parties
have signed. When it is, the licence points to it, so need → match → licence → contract → turnover is one chain.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from matchmaker.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from matchmaker.domain.licences import (
    FEE_MODELS,
    LicenceTerms,
    check_declarable,
    check_takeable,
    format_rate,
    licence_end,
    validate_terms,
)
from matchmaker.domain.money import fen_to_yuan, format_yuan, yuan_to_fen
from matchmaker.matching.fusion import Reason
from matchmaker.services.notifications import notify
from matchmaker.services.permissions import Actor, authorize
from matchmaker.services.reference import Reference
from matchmaker.services.requests import researchers_to_notify
from matchmaker.storage import audit
from matchmaker.storage.models import Company, Institution, Licence, Need, Offer, OpenLicence, User, utcnow

TERM_FIELDS = ("fee_model", "lump_sum_yuan", "royalty_rate", "period_years", "scope")
REASON_KIND = "open_licence"


def terms_of(row: OpenLicence | Licence) -> LicenceTerms:
    return LicenceTerms(
        row.fee_model,
        fen_to_yuan(row.lump_sum_fen) if row.lump_sum_fen is not None else None,
        row.royalty_bp,
        row.period_years,
        row.scope,
    )


def as_input(row: OpenLicence | None) -> dict[str, str]:
    """Declared terms as form values."""
    if row is None:
        return {"fee_model": FEE_MODELS[0], "period_years": "5", "scope": "中国境内，普通许可"}
    return {
        "fee_model": row.fee_model,
        "lump_sum_yuan": str(fen_to_yuan(row.lump_sum_fen)) if row.lump_sum_fen is not None else "",
        "royalty_rate": format_rate(row.royalty_bp).rstrip("%") if row.royalty_bp else "",
        "period_years": str(row.period_years),
        "scope": row.scope,
    }


def offer_for(session: Session, offer_id: int) -> Offer:
    """The offer a declaration is about (any status: the form explains why it cannot be declared)."""
    return _offer(session, offer_id)


def _offer(session: Session, offer_id: int) -> Offer:
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise NotFound(f"专利成果 #{offer_id} 不存在")
    return offer


def open_licence(session: Session, offer_id: int) -> OpenLicence | None:
    """The offer's declaration, standing or withdrawn."""
    return session.exec(select(OpenLicence).where(OpenLicence.offer_id == offer_id)).first()


def standing(session: Session, offer_ids: Collection[int]) -> dict[int, OpenLicence]:
    """Offer id → its standing (not withdrawn) open licence, for lists and match reasons."""
    if not offer_ids:
        return {}
    rows = session.exec(
        select(OpenLicence).where(
            col(OpenLicence.offer_id).in_(list(offer_ids)), col(OpenLicence.withdrawn_at).is_(None)
        )
    )
    return {row.offer_id: row for row in rows}


def standing_offer_ids(session: Session) -> list[int]:
    """Offers with a standing open licence (the catalogue's 开放许可 filter)."""
    return list(session.exec(select(OpenLicence.offer_id).where(col(OpenLicence.withdrawn_at).is_(None))))


def reason_for(row: OpenLicence) -> Reason:
    """The matcher's reason for an open-licensed offer: a company can take it at once on known terms."""
    return Reason(
        REASON_KIND,
        {
            "fee_model": row.fee_model,
            "lump_sum_yuan": format_yuan(fen_to_yuan(row.lump_sum_fen))
            if row.lump_sum_fen is not None
            else None,
            "royalty_percent": format_rate(row.royalty_bp).rstrip("%") if row.royalty_bp else None,
            "period_years": row.period_years,
            "scope": row.scope,
        },
    )


def with_licence_reasons(
    session: Session, offer_reasons: Mapping[int, tuple[Reason, ...]]
) -> dict[int, tuple[Reason, ...]]:
    """Each offer's reasons, with the open-licence reason added where one stands."""
    found = standing(session, list(offer_reasons))
    return {
        offer_id: reasons + ((reason_for(found[offer_id]),) if offer_id in found else ())
        for offer_id, reasons in offer_reasons.items()
    }


def _audit(
    session: Session, actor: Actor, offer_id: int, action: str, field: str, old: object, new: object
) -> None:
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="offer",
        entity_id=offer_id,
        action=action,
        field=field,
        old=old,
        new=new,
    )


def declare(session: Session, actor: Actor, offer_id: int, raw: Mapping[str, object]) -> OpenLicence:
    """Declare (or re-declare with new terms) an offer open-licensed; the offer's own researchers only."""
    offer = _offer(session, offer_id)
    authorize(actor, "offer.edit", offer)
    errors: list[FieldError] = []
    terms: LicenceTerms | None = None
    try:
        check_declarable(status=offer.status, legal_status=offer.legal_status)
    except ValidationFailed as failed:
        errors.extend(failed.errors)
    try:
        terms = validate_terms(raw)
    except ValidationFailed as failed:
        errors.extend(failed.errors)
    if errors or terms is None:
        raise ValidationFailed(errors)
    row = open_licence(session, offer_id)
    old = terms_of(row).describe() if row and row.withdrawn_at is None else None
    if row is None:
        row = OpenLicence(
            offer_id=offer_id, fee_model=terms.fee_model, period_years=terms.period_years, scope=""
        )
    row.fee_model = terms.fee_model
    row.lump_sum_fen = yuan_to_fen(terms.lump_sum_yuan) if terms.lump_sum_yuan is not None else None
    row.royalty_bp = terms.royalty_bp
    row.period_years = terms.period_years
    row.scope = terms.scope
    row.declared_by = actor.id
    row.declared_at = utcnow()
    row.withdrawn_at = None
    session.add(row)
    session.flush()
    _audit(session, actor, offer_id, "update", "开放许可", old, terms.describe())
    return row


def withdraw(session: Session, actor: Actor, offer_id: int) -> OpenLicence:
    """Withdraw the declaration; licences already taken keep their terms."""
    offer = _offer(session, offer_id)
    authorize(actor, "offer.edit", offer)
    row = open_licence(session, offer_id)
    if row is None or row.withdrawn_at is not None:
        raise ValidationFailed([FieldError("offer", "该成果没有有效的开放许可声明")])
    row.withdrawn_at = utcnow()
    session.add(row)
    session.flush()
    _audit(session, actor, offer_id, "update", "开放许可", terms_of(row).describe(), "已撤回")
    return row


def take(
    session: Session, actor: Actor, offer_id: int, need_id: int | None = None, today: date | None = None
) -> Licence:
    """An SME takes a licence on the declared terms, in one step (Patent Law art. 51: written notice and
    payment, no negotiation)."""
    authorize(actor, "licence.take")
    offer = _offer(session, offer_id)
    row = open_licence(session, offer_id)
    check_takeable(status=offer.status, declared=row is not None, withdrawn=bool(row and row.withdrawn_at))
    if actor.company_id is None:
        raise ValidationFailed([FieldError("offer", "取得许可的账号须属于一家已登记的企业")])
    assert row is not None and row.id is not None
    start = today or date.today()
    held = session.exec(
        select(Licence).where(
            Licence.offer_id == offer_id,
            Licence.company_id == actor.company_id,
            col(Licence.ends_on) >= start,
        )
    ).first()
    if held is not None:
        raise Conflict(
            f"本企业已于 {held.starts_on.isoformat()} 取得该成果的开放许可（至 {held.ends_on.isoformat()}）"
        )
    if need_id is not None:
        need = session.get(Need, need_id)
        if need is None or need.company_id != actor.company_id:
            raise ValidationFailed([FieldError("need_id", "只能关联本企业的技术需求")])
    company = session.get(Company, actor.company_id)
    assert company is not None
    licence = Licence(
        open_licence_id=row.id,
        offer_id=offer_id,
        company_id=actor.company_id,
        need_id=need_id,
        taken_by=actor.id,
        fee_model=row.fee_model,
        lump_sum_fen=row.lump_sum_fen,
        royalty_bp=row.royalty_bp,
        period_years=row.period_years,
        scope=row.scope,
        starts_on=start,
        ends_on=licence_end(start, row.period_years),
    )
    session.add(licence)
    session.flush()
    assert licence.id is not None
    terms = terms_of(licence).describe()
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="licence",
        entity_id=licence.id,
        action="create",
        field="许可条件",
        new=terms,
        note=f"{company.name} 取得成果 #{offer_id} 的开放许可",
    )
    for researcher in researchers_to_notify(session, offer):
        assert researcher.id is not None
        notify(
            session,
            researcher.id,
            f"{company.name}已按开放许可取得成果「{offer.title}」的许可（{terms}）",
            f"/licences/{licence.id}",
        )
    for user in session.exec(select(User).where(User.company_id == actor.company_id, User.is_active == True)):
        assert user.id is not None
        notify(
            session,
            user.id,
            f"已取得成果「{offer.title}」的开放许可，请与成果方签订技术许可合同并办理登记",
            f"/licences/{licence.id}",
        )
    for user in session.exec(select(User).where(User.role == "bureau", User.is_active == True)):
        assert user.id is not None
        notify(
            session,
            user.id,
            f"{company.name}取得开放许可「{offer.title}」，待登记技术许可合同",
            f"/contracts/new?licence={licence.id}",
        )
    return licence


@dataclass(frozen=True)
class OfferPanel:
    """What the offer page shows about open licensing, for ``actor``."""

    declaration: OpenLicence | None
    terms: str
    can_declare: bool
    can_take: bool
    needs: list[tuple[int, str]]
    held: Licence | None


def offer_panel(session: Session, actor: Actor, offer: Offer) -> OfferPanel:
    from matchmaker.services.permissions import allowed

    row = open_licence(session, offer.id or 0)
    live = row if row is not None and row.withdrawn_at is None else None
    held = None
    needs: list[tuple[int, str]] = []
    if actor.role == "sme" and actor.company_id is not None:
        held = session.exec(
            select(Licence).where(Licence.offer_id == offer.id, Licence.company_id == actor.company_id)
        ).first()
        needs = [
            (n.id or 0, n.title)
            for n in session.exec(
                select(Need).where(Need.company_id == actor.company_id).order_by(col(Need.id).desc())
            )
        ]
    return OfferPanel(
        declaration=live,
        terms=terms_of(live).describe() if live else "",
        can_declare=allowed(actor, "offer.edit", offer)
        and offer.status == "发布"
        and offer.legal_status == "有效",
        can_take=live is not None and offer.status == "发布" and allowed(actor, "licence.take"),
        needs=needs,
        held=held,
    )


@dataclass(frozen=True)
class LicenceView:
    licence: Licence
    offer: Offer
    institution: str
    company: Company

    @property
    def terms(self) -> str:
        return terms_of(self.licence).describe()


def get_licence(session: Session, actor: Actor, licence_id: int) -> LicenceView:
    """A licence, for the two parties, the bureau and admins."""
    licence = session.get(Licence, licence_id)
    if licence is None:
        raise NotFound(f"许可 #{licence_id} 不存在")
    offer = _offer(session, licence.offer_id)
    company = session.get(Company, licence.company_id)
    institution = session.get(Institution, offer.institution_id)
    assert company is not None and institution is not None
    party = (actor.role == "sme" and actor.company_id == licence.company_id) or (
        actor.role == "researcher" and actor.institution_id == offer.institution_id
    )
    if not (party or actor.role in ("bureau", "admin")):
        raise NotFound(f"许可 #{licence_id} 不存在")
    return LicenceView(licence, offer, institution.canonical_name, company)


def licences_for(session: Session, actor: Actor) -> list[LicenceView]:
    """The licences ``actor`` is party to (all of them for the bureau and admins), newest first."""
    stmt = select(Licence).order_by(col(Licence.id).desc())
    if actor.role == "sme":
        stmt = stmt.where(Licence.company_id == (actor.company_id or 0))
    elif actor.role == "researcher":
        stmt = stmt.join(Offer, col(Offer.id) == Licence.offer_id).where(
            Offer.institution_id == (actor.institution_id or 0)
        )
    elif actor.role not in ("bureau", "admin"):
        return []
    return [get_licence(session, actor, licence.id or 0) for licence in session.exec(stmt)]


def prefill_contract(
    session: Session, reference: Reference, actor: Actor, licence_id: int
) -> tuple[dict[str, str], str]:
    """The 技术许可 contract draft the bureau registers: parties, field, town, the lump sum as the amount (a
    royalty licence's amount is what the contract states, so it is left for the bureau), and links."""
    view = get_licence(session, actor, licence_id)
    licence, offer, company = view.licence, view.offer, view.company
    contract_field = next(
        (name for name, industry in reference.contract_field_to_industry.items() if industry == offer.field),
        "",
    )
    values = {
        "title": f"{offer.title}专利实施许可（开放许可）",
        "contract_type": "技术许可（普通许可）",
        "seller": view.institution,
        "buyer": company.name,
        "buyer_credit_code": company.credit_code,
        "amount_yuan": str(fen_to_yuan(licence.lump_sum_fen)) if licence.lump_sum_fen is not None else "",
        "signed_on": licence.starts_on.isoformat(),
        "valid_from": licence.starts_on.isoformat(),
        "valid_to": licence.ends_on.isoformat(),
        "field": contract_field,
        "town": company.town if company.town in reference.towns else "",
        "offer_id": str(offer.id),
        "need_id": str(licence.need_id or ""),
        "licence_id": str(licence.id),
    }
    return values, f"来自开放许可 #{licence.id}（{view.terms}）"


def attach_contract(session: Session, actor: Actor, licence_id: int, contract_id: int) -> None:
    """Point the licence at the contract the bureau registered for it (once)."""
    authorize(actor, "contract.manage")
    licence = session.get(Licence, licence_id)
    if licence is None:
        raise ValidationFailed([FieldError("licence_id", f"开放许可 #{licence_id} 不存在")])
    if licence.contract_id is not None and licence.contract_id != contract_id:
        raise ValidationFailed(
            [FieldError("licence_id", f"开放许可 #{licence_id} 已登记合同 #{licence.contract_id}")]
        )
    licence.contract_id = contract_id
    session.add(licence)
    session.flush()
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="licence",
        entity_id=licence_id,
        action="update",
        field="登记技术合同",
        new=contract_id,
    )


def licensed_totals(session: Session, date_from: date | None, date_to: date | None) -> tuple[int, int, int]:
    """Licences taken between the dates, how many have a registered contract, and those contracts' amounts
    in 分 (non-voided) — the licences' share of the platform's attributed turnover."""
    from matchmaker.storage.models import Contract

    stmt = select(Licence, Contract).join(Contract, col(Contract.id) == Licence.contract_id, isouter=True)
    if date_from:
        stmt = stmt.where(Licence.starts_on >= date_from)
    if date_to:
        stmt = stmt.where(Licence.starts_on <= date_to)
    taken = with_contract = amount = 0
    for licence, contract in session.exec(stmt):
        taken += 1
        if contract is not None and not contract.voided:
            with_contract += 1
            amount += contract.amount_fen
    return taken, with_contract, amount


def lump_sum_text(row: OpenLicence | Licence) -> str:
    return f"{format_yuan(Decimal(row.lump_sum_fen) / 100)} 元" if row.lump_sum_fen is not None else "—"
