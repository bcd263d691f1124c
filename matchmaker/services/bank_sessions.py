"""银企对接: banks and guarantors (质权人) meet companies at a docking event, scheduled like any other pair.

The plan asks for 投融资项目对接活动 beside technology docking. A bank joins an event as a participant of kind
``bank``; a pair puts it at a table with a company (no offer, no need), and the scheduler treats it as the host
side, as it treats a researcher. The banks offered to the organizer are the pledgees of the pledge register.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from matchmaker.domain.errors import FieldError, ValidationFailed
from matchmaker.services import events, pledges
from matchmaker.services.permissions import Actor, authorize
from matchmaker.storage import audit
from matchmaker.storage.models import Company, EventPair, EventParticipant

SOURCE = "bank"
NAME_MAX_CHARS = 50


def banks(session: Session) -> list[str]:
    """Pledgees known from the register, for the organizer's list (any other bank may be typed)."""
    return pledges.pledgees(session)


def companies(session: Session) -> list[tuple[int, str]]:
    return [(c.id or 0, c.name) for c in session.exec(select(Company).order_by(col(Company.name)))]


def add_bank_pair(
    session: Session, actor: Actor, event_id: int, bank_name: str, company_id: int | None
) -> EventPair:
    """A 银企对接 meeting candidate: the bank (created as a participant the first time) with a company."""
    authorize(actor, "event.manage")
    event = events.get_event(session, event_id)
    events.require_editable(event)
    name = " ".join(bank_name.split())
    errors: list[FieldError] = []
    if not name:
        errors.append(FieldError("bank", "请填写银行或担保机构名称"))
    elif len(name) > NAME_MAX_CHARS:
        errors.append(FieldError("bank", f"机构名称不能超过 {NAME_MAX_CHARS} 个字"))
    company = session.get(Company, company_id) if company_id else None
    if company is None:
        errors.append(FieldError("company_id", "请选择平台已登记的企业"))
    if errors:
        raise ValidationFailed(errors)
    assert company is not None and company.id is not None
    bank = session.exec(
        select(EventParticipant).where(
            EventParticipant.event_id == event_id,
            EventParticipant.kind == "bank",
            EventParticipant.name == name,
        )
    ).first()
    if bank is None:
        bank = EventParticipant(event_id=event_id, name=name, kind="bank")
        session.add(bank)
        session.flush()
    party = events.company_participant(session, event_id, company.id)
    assert bank.id is not None and party.id is not None
    taken = session.exec(
        select(EventPair).where(
            EventPair.event_id == event_id,
            EventPair.researcher_id == bank.id,
            EventPair.company_participant_id == party.id,
        )
    ).first()
    if taken is not None:
        raise ValidationFailed([FieldError("company_id", f"{name}与{company.name}的对接已在候选名单中")])
    pair = EventPair(
        event_id=event_id,
        researcher_id=bank.id,
        company_participant_id=party.id,
        score=events.HAND_PICKED_SCORE,
        reasons=["银企对接：知识产权质押融资"],
        source=SOURCE,
    )
    session.add(pair)
    session.flush()
    assert pair.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="event_pair",
        entity_id=pair.id,
        action="create",
        new=f"{name} ↔ {company.name}",
        note=f"对接会 {event_id}，银企对接",
    )
    events.mark_stale(event)
    session.add(event)
    return pair
