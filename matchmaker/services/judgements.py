"""Judgements on suggested pairs: organizers mark 好匹配 / 不相关; meeting outcomes and answered requests arrive
from their own services with source ``meeting`` / ``request``. All are kept with who and when, and read back to
evaluate the matcher (``matchmaker eval --judgements``).

An organizer's mark on a pair is one row per organizer: marking again changes the label (audited old → new)
instead of piling up votes, so one person's change of mind does not count twice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from matchmaker.domain.errors import FieldError, NotFound, ValidationFailed
from matchmaker.services.permissions import Actor, authorize
from matchmaker.storage import audit
from matchmaker.storage.models import Judgement, Need, Offer, User, utcnow

#: An organizer's labels and the grade each stands for (2 solves the need, 0 not relevant).
ORGANIZER_LABELS = {"好匹配": 2, "不相关": 0}
ORGANIZER = "organizer"
SOURCE_LABELS = {"organizer": "组织者评价", "meeting": "会谈结果", "request": "会谈申请答复"}
PER_PAGE = 50


def mark(
    session: Session, actor: Actor, need_id: int, offer_id: int, label: str, note: str = ""
) -> Judgement:
    """Store (or change) ``actor``'s verdict on the pair, with who and when."""
    authorize(actor, "judgement.create")
    if label not in ORGANIZER_LABELS:
        raise ValidationFailed([FieldError("label", f"评价只能是{'或'.join(ORGANIZER_LABELS)}")])
    if len(note) > 500:
        raise ValidationFailed([FieldError("note", "备注不能超过 500 个字")])
    if session.get(Need, need_id) is None:
        raise NotFound(f"技术需求 #{need_id} 不存在")
    if session.get(Offer, offer_id) is None:
        raise NotFound(f"专利成果 #{offer_id} 不存在")
    existing = session.exec(
        select(Judgement).where(
            Judgement.need_id == need_id,
            Judgement.offer_id == offer_id,
            Judgement.source == ORGANIZER,
            Judgement.user_id == actor.id,
        )
    ).first()
    grade = ORGANIZER_LABELS[label]
    if existing is None:
        judgement = Judgement(
            need_id=need_id,
            offer_id=offer_id,
            label=label,
            grade=grade,
            source=ORGANIZER,
            note=note,
            user_id=actor.id,
        )
        session.add(judgement)
        session.flush()
        assert judgement.id is not None
        audit.record(
            session,
            user_id=actor.id,
            username=actor.username,
            entity="judgement",
            entity_id=judgement.id,
            action="create",
            new=f"需求 {need_id} × 成果 {offer_id}：{label}（{grade}）",
            note=note,
        )
        return judgement
    assert existing.id is not None
    audit.record_changes(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="judgement",
        entity_id=existing.id,
        before={"label": existing.label, "note": existing.note},
        after={"label": label, "note": note},
    )
    existing.label, existing.grade, existing.note, existing.at = label, grade, note, utcnow()
    session.add(existing)
    return existing


def organizer_marks(session: Session, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The latest organizer label on each of ``pairs`` ((need id, offer id)), whoever marked it."""
    wanted = set(pairs)
    if not wanted:
        return {}
    needs = {n for n, _ in wanted}
    rows = session.exec(
        select(Judgement)
        .where(Judgement.source == ORGANIZER, col(Judgement.need_id).in_(needs))
        .order_by(col(Judgement.at), col(Judgement.id))
    )
    return {(j.need_id, j.offer_id): j.label for j in rows if (j.need_id, j.offer_id) in wanted}


@dataclass(frozen=True)
class JudgementFilters:
    label: str = ""
    source: str = ""
    q: str = ""


@dataclass(frozen=True)
class JudgementRow:
    id: int
    at: datetime
    need_id: int
    need_title: str
    offer_id: int
    offer_title: str
    label: str
    grade: int
    source: str
    username: str
    note: str

    @property
    def source_text(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)


@dataclass(frozen=True)
class JudgementPage:
    rows: list[JudgementRow]
    total: int
    page: int
    pages: int


def list_judgements(
    session: Session, filters: JudgementFilters, *, page: int = 1, per_page: int | None = PER_PAGE
) -> JudgementPage:
    """Newest first, filtered by label, source and a word in the need's or the offer's title
    (``per_page=None``: all, for exports). Organizers see every need in full, so nothing is masked here."""
    stmt = (
        select(Judgement, Need.title, Offer.title, User.username)
        .join(Need, col(Need.id) == Judgement.need_id)
        .join(Offer, col(Offer.id) == Judgement.offer_id)
        .outerjoin(User, col(User.id) == Judgement.user_id)
    )
    if filters.label:
        stmt = stmt.where(Judgement.label == filters.label)
    if filters.source:
        stmt = stmt.where(Judgement.source == filters.source)
    if filters.q:
        stmt = stmt.where(or_(col(Need.title).contains(filters.q), col(Offer.title).contains(filters.q)))
    total = int(session.exec(select(func.count()).select_from(stmt.subquery())).one())
    pages = max(1, math.ceil(total / per_page)) if per_page else 1
    page = min(max(1, page), pages)
    stmt = stmt.order_by(col(Judgement.at).desc(), col(Judgement.id).desc())
    if per_page:
        stmt = stmt.offset((page - 1) * per_page).limit(per_page)
    rows = [
        JudgementRow(
            j.id or 0,
            j.at,
            j.need_id,
            need_title,
            j.offer_id,
            offer_title,
            j.label,
            j.grade,
            j.source,
            username or "系统",
            j.note,
        )
        for j, need_title, offer_title, username in session.exec(stmt)
    ]
    return JudgementPage(rows, total, page, pages)


def labels_in_use(session: Session) -> list[str]:
    """Every label stored (organizer labels first), for the filter."""
    stored = set(session.exec(select(Judgement.label).distinct()))
    return [*ORGANIZER_LABELS, *sorted(stored - set(ORGANIZER_LABELS))]


EXPORT_HEADERS = (
    "编号",
    "时间（北京时间）",
    "需求编号",
    "技术需求",
    "成果编号",
    "专利成果",
    "评价",
    "分级",
    "来源",
    "评价人",
    "备注",
)


def to_json(j: Judgement) -> dict[str, object]:
    return {
        "id": j.id,
        "need_id": j.need_id,
        "offer_id": j.offer_id,
        "label": j.label,
        "grade": j.grade,
        "source": j.source,
        "note": j.note,
        "user_id": j.user_id,
        "at": j.at.isoformat(),
    }
