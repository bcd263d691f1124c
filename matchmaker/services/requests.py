"""Meeting requests (会谈请求): an SME asks an offer's researchers for a meeting; they accept or decline.

Every answer is also kept as a :class:`Judgement` on the need–offer pair, for the matcher to learn from:

- a decline → grade 0, label = the structured reason (技术不匹配 / 阶段太早 / 预算不符 / 已转让 / 其他);
- an accept → grade 1, label 意向: the researcher agrees the pair is worth a talk, which is evidence of
  relevance but not yet of a good fit — grade 2 is left to outcomes (签约) and organizers' 好匹配.

A judgement needs a need, so a request sent without naming one of the company's needs records none.
Accepted requests are the candidate pairs organizers import into a docking event (:func:`accepted_requests`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from matchmaker.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from matchmaker.domain.vocab import DECLINE_REASONS, OPEN_NEED_STATUSES, PUBLISHED_OFFER_STATUSES
from matchmaker.services.needs import NeedView, _pairs, needs_of_company, views, visible_need
from matchmaker.services.notifications import notify
from matchmaker.services.permissions import Actor, authorize
from matchmaker.storage import audit
from matchmaker.storage.models import (
    Company,
    Institution,
    Judgement,
    MeetingRequest,
    Need,
    Offer,
    User,
    utcnow,
)

MESSAGE_MAX_CHARS = 500
NOTE_MAX_CHARS = 500
PENDING, ACCEPTED, DECLINED = "待回复", "已接受", "已拒绝"
ACCEPT_GRADE = 1
ACCEPT_LABEL = "意向"


def get_request(session: Session, request_id: int) -> MeetingRequest:
    found = session.get(MeetingRequest, request_id)
    if found is None:
        raise NotFound("会谈请求不存在")
    return found


def requestable_offer(session: Session, offer_id: int) -> Offer:
    """Only a published offer can be asked for a meeting."""
    offer = session.get(Offer, offer_id)
    if offer is None or offer.status not in PUBLISHED_OFFER_STATUSES:
        raise NotFound("专利成果不存在或未发布")
    return offer


@dataclass(frozen=True)
class RequestForm:
    """What the 申请会谈 form shows: the offer, its institution, and the company's needs it may name."""

    offer: Offer
    institution: Institution | None
    open_needs: list[Need]


def request_form(session: Session, actor: Actor, offer_id: int) -> RequestForm:
    offer = requestable_offer(session, offer_id)
    own = needs_of_company(session, actor.company_id) if actor.company_id is not None else []
    return RequestForm(
        offer=offer,
        institution=session.get(Institution, offer.institution_id),
        open_needs=[n for n in own if n.status in OPEN_NEED_STATUSES],
    )


def researchers_to_notify(session: Session, offer: Offer) -> list[User]:
    """The offer's author if still active at its institution; otherwise every researcher of the institution."""
    if offer.created_by is not None:
        author = session.get(User, offer.created_by)
        if author is not None and author.is_active and author.institution_id == offer.institution_id:
            return [author]
    stmt = select(User).where(
        User.role == "researcher", User.institution_id == offer.institution_id, User.is_active == True
    )
    return list(session.exec(stmt))


def create_request(
    session: Session, actor: Actor, offer_id: int, *, message: str, need_id: int | None = None
) -> MeetingRequest:
    authorize(actor, "request.create")
    offer = requestable_offer(session, offer_id)
    if actor.company_id is None:
        raise Conflict("请先登记您所在的企业，再申请会谈")
    errors: list[FieldError] = []
    message = message.strip()
    if not message:
        errors.append(FieldError("message", "请简单说明想谈什么，例如遇到的问题和希望的合作方式"))
    elif len(message) > MESSAGE_MAX_CHARS:
        errors.append(
            FieldError("message", f"留言不能超过 {MESSAGE_MAX_CHARS} 个字，现有 {len(message)} 个字")
        )
    if need_id is not None:
        need = session.get(Need, need_id)
        if need is None or need.company_id != actor.company_id:
            errors.append(FieldError("need_id", "只能选择本企业的技术需求"))
        elif need.status not in OPEN_NEED_STATUSES:
            errors.append(FieldError("need_id", f"该需求状态为「{need.status}」，请选择开放或对接中的需求"))
    if errors:
        raise ValidationFailed(errors)
    duplicate = session.exec(
        select(MeetingRequest).where(
            MeetingRequest.offer_id == offer_id,
            MeetingRequest.company_id == actor.company_id,
            MeetingRequest.state == PENDING,
        )
    ).first()
    if duplicate is not None:
        raise Conflict("贵企业已就该成果提交过会谈请求，正在等待对方回复")
    request = MeetingRequest(
        offer_id=offer_id,
        need_id=need_id,
        company_id=actor.company_id,
        requested_by=actor.id or 0,
        message=message,
        state=PENDING,
    )
    session.add(request)
    session.flush()
    assert request.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="meeting_request",
        entity_id=request.id,
        action="create",
        new=f"成果 {offer_id}：{offer.title}",
    )
    company = session.get(Company, actor.company_id)
    for researcher in researchers_to_notify(session, offer):
        assert researcher.id is not None
        notify(
            session,
            researcher.id,
            f"{company.name if company else '一家企业'}申请就成果「{offer.title}」会谈",
            "/requests/inbox",
        )
    return request


def answer_request(
    session: Session, actor: Actor, request_id: int, *, accept: bool, reason: str = "", note: str = ""
) -> MeetingRequest:
    request = get_request(session, request_id)
    offer = session.get(Offer, request.offer_id)
    if offer is None:
        raise NotFound("专利成果不存在")
    authorize(actor, "request.answer", offer)
    if request.state != PENDING:
        raise Conflict(f"该请求{request.state}，不能再次处理")
    note = note.strip()
    errors: list[FieldError] = []
    if len(note) > NOTE_MAX_CHARS:
        errors.append(FieldError("note", f"说明不能超过 {NOTE_MAX_CHARS} 个字"))
    if not accept:
        if reason not in DECLINE_REASONS:
            errors.append(FieldError("reason", f"请选择拒绝原因：{'、'.join(DECLINE_REASONS)}"))
        elif reason == "其他" and not note:
            errors.append(FieldError("note", "选择“其他”时请写明原因"))
    if errors:
        raise ValidationFailed(errors)
    request.state = ACCEPTED if accept else DECLINED
    request.decline_reason = None if accept else reason
    request.decline_note = note
    request.responded_by = actor.id
    request.responded_at = utcnow()
    session.add(request)
    assert request.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="meeting_request",
        entity_id=request.id,
        action="status",
        field="state",
        old=PENDING,
        new=request.state,
        note="" if accept else f"{reason}{('：' + note) if note else ''}",
    )
    if request.need_id is not None:
        session.add(
            Judgement(
                need_id=request.need_id,
                offer_id=request.offer_id,
                label=ACCEPT_LABEL if accept else reason,
                grade=ACCEPT_GRADE if accept else 0,
                source="request",
                note=note,
                user_id=actor.id,
            )
        )
    verdict = "接受" if accept else f"婉拒（{reason}）"
    # an acceptance leads to the page where the two sides agree a time and place
    link = f"/requests/{request.id}" if accept else "/my/requests"
    notify(session, request.requested_by, f"您就成果「{offer.title}」的会谈请求已被{verdict}", link)
    return request


@dataclass(frozen=True)
class RequestRow:
    """A request as both sides see it: the parties, the offer, the state and the answer."""

    id: int
    offer_id: int
    offer_title: str
    institution: str
    need_id: int | None
    #: the need as the viewing actor may see it (masked by ``services.needs.visible_need``)
    need: NeedView | None
    company_id: int
    company_name: str
    requested_by: str
    message: str
    state: str
    decline_reason: str | None
    decline_note: str
    created_at: datetime
    responded_at: datetime | None


def _rows(session: Session, requests: list[MeetingRequest], actor: Actor) -> list[RequestRow]:
    offers = (
        {
            o.id: o
            for o in session.exec(select(Offer).where(col(Offer.id).in_({r.offer_id for r in requests})))
        }
        if requests
        else {}
    )
    need_ids = {r.need_id for r in requests if r.need_id is not None}
    raw_needs = (
        {n.id: n for n in session.exec(select(Need).where(col(Need.id).in_(need_ids)))} if need_ids else {}
    )
    needs = {v.id: v for v in views(session, list(raw_needs.values()), actor)} if raw_needs else {}
    companies = _pairs(session.exec(select(Company.id, Company.name)))
    institutions = _pairs(session.exec(select(Institution.id, Institution.canonical_name)))
    users = (
        _pairs(
            session.exec(
                select(User.id, User.display_name).where(col(User.id).in_({r.requested_by for r in requests}))
            )
        )
        if requests
        else {}
    )
    out = []
    for r in requests:
        offer = offers.get(r.offer_id)
        need = needs.get(r.need_id) if r.need_id is not None else None
        if need is not None and offer is not None and is_counterpart(actor, r, offer):
            # the researcher who will meet the company sees its contact (see services.needs.visible_need)
            need = visible_need(raw_needs[need.id], actor, companies.get(r.company_id, ""), counterpart=True)
        out.append(
            RequestRow(
                id=r.id or 0,
                offer_id=r.offer_id,
                offer_title=offer.title if offer else "（已删除）",
                institution=institutions.get(offer.institution_id, "") if offer else "",
                need_id=r.need_id,
                need=need,
                company_id=r.company_id,
                company_name=companies.get(r.company_id, ""),
                requested_by=users.get(r.requested_by, ""),
                message=r.message,
                state=r.state,
                decline_reason=r.decline_reason,
                decline_note=r.decline_note,
                created_at=r.created_at,
                responded_at=r.responded_at,
            )
        )
    return out


def is_counterpart(actor: Actor, request: MeetingRequest, offer: Offer) -> bool:
    """The actor is a researcher of the offer's institution and the request was accepted: the company's
    contact is theirs to see, whatever the need's privacy setting says to everyone else."""
    return (
        request.state == ACCEPTED
        and actor.role == "researcher"
        and actor.institution_id is not None
        and actor.institution_id == offer.institution_id
    )


def sent_by_company(
    session: Session, actor: Actor, company_id: int, need_id: int | None = None
) -> list[RequestRow]:
    stmt = select(MeetingRequest).where(MeetingRequest.company_id == company_id)
    if need_id is not None:
        stmt = stmt.where(MeetingRequest.need_id == need_id)
    return _rows(session, list(session.exec(stmt.order_by(col(MeetingRequest.id).desc()))), actor)


def inbox(session: Session, actor: Actor, state: str = "") -> list[RequestRow]:
    """Requests on the offers of the researcher's institution (all of them for an admin), newest first."""
    stmt = select(MeetingRequest).join(Offer, col(Offer.id) == col(MeetingRequest.offer_id))
    if not actor.is_admin:
        stmt = stmt.where(Offer.institution_id == (actor.institution_id or -1))
    if state:
        stmt = stmt.where(MeetingRequest.state == state)
    return _rows(session, list(session.exec(stmt.order_by(col(MeetingRequest.id).desc()))), actor)


@dataclass(frozen=True)
class AcceptedPair:
    """An accepted request as a candidate pair for a docking event."""

    request_id: int
    offer_id: int
    need_id: int | None
    company_id: int
    institution_id: int
    researcher_user_id: int | None
    requested_by: int
    responded_at: datetime | None


def accepted_requests(
    session: Session,
    *,
    since: datetime | None = None,
    offer_ids: list[int] | None = None,
    company_ids: list[int] | None = None,
) -> list[AcceptedPair]:
    """Accepted requests, oldest answer first, for organizers to import as candidate pairs (source "request").

    ``researcher_user_id`` is the researcher who accepted: the person who said they will come.
    """
    stmt = (
        select(MeetingRequest, Offer.institution_id)
        .join(Offer, col(Offer.id) == col(MeetingRequest.offer_id))
        .where(MeetingRequest.state == ACCEPTED)
    )
    if since is not None:
        stmt = stmt.where(col(MeetingRequest.responded_at) >= since)
    if offer_ids is not None:
        stmt = stmt.where(col(MeetingRequest.offer_id).in_(offer_ids))
    if company_ids is not None:
        stmt = stmt.where(col(MeetingRequest.company_id).in_(company_ids))
    stmt = stmt.order_by(col(MeetingRequest.responded_at), col(MeetingRequest.id))
    return [
        AcceptedPair(
            request_id=r.id or 0,
            offer_id=r.offer_id,
            need_id=r.need_id,
            company_id=r.company_id,
            institution_id=institution_id,
            researcher_user_id=r.responded_by,
            requested_by=r.requested_by,
            responded_at=r.responded_at,
        )
        for r, institution_id in session.exec(stmt)
    ]
