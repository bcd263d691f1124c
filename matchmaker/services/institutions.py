"""Institutions and their aliases: the normaliser built from the database, and the admin's changes."""

from __future__ import annotations

import unicodedata

from sqlmodel import Session, col, select

from matchmaker.domain.errors import FieldError, NotFound, ValidationFailed
from matchmaker.domain.institutions import Institution as InstitutionRecord
from matchmaker.domain.institutions import InstitutionNormalizer
from matchmaker.services.permissions import Actor, authorize
from matchmaker.storage import audit
from matchmaker.storage.models import Institution, InstitutionAlias


def all_institutions(session: Session) -> list[Institution]:
    return list(session.exec(select(Institution).order_by(col(Institution.id))))


def aliases_by_institution(session: Session) -> dict[int, list[InstitutionAlias]]:
    out: dict[int, list[InstitutionAlias]] = {}
    for alias in session.exec(select(InstitutionAlias).order_by(col(InstitutionAlias.alias))):
        out.setdefault(alias.institution_id, []).append(alias)
    return out


def normalizer(session: Session) -> InstitutionNormalizer:
    aliases = aliases_by_institution(session)
    records = [
        InstitutionRecord(
            canonical=inst.canonical_name,
            short_name=inst.short_name,
            aliases=tuple(a.alias for a in aliases.get(inst.id or 0, [])),
        )
        for inst in all_institutions(session)
    ]
    return InstitutionNormalizer(records)


def own_institution(session: Session, actor: Actor) -> Institution | None:
    """The institution the actor is bound to, if any."""
    return session.get(Institution, actor.institution_id) if actor.institution_id else None


def by_name(session: Session, canonical_name: str) -> Institution | None:
    return session.exec(select(Institution).where(Institution.canonical_name == canonical_name)).first()


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def create_institution(
    session: Session, actor: Actor, *, canonical_name: str, short_name: str = "", kind: str = ""
) -> Institution:
    authorize(actor, "institution.manage")
    name = _clean(canonical_name)
    if not name:
        raise ValidationFailed([FieldError("canonical_name", "请填写单位全称")])
    if len(name) > 100:
        raise ValidationFailed([FieldError("canonical_name", "单位全称不能超过 100 个字")])
    if (
        by_name(session, name)
        or session.exec(select(InstitutionAlias).where(InstitutionAlias.alias == name)).first()
    ):
        raise ValidationFailed([FieldError("canonical_name", f"单位「{name}」已存在（或已是某单位的别名）")])
    inst = Institution(canonical_name=name, short_name=_clean(short_name), kind=_clean(kind))
    session.add(inst)
    session.flush()
    assert inst.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="institution",
        entity_id=inst.id,
        action="create",
        new=name,
    )
    return inst


def add_alias(session: Session, actor: Actor, institution_id: int, alias: str) -> InstitutionAlias:
    authorize(actor, "institution.manage")
    inst = session.get(Institution, institution_id)
    if inst is None:
        raise NotFound("单位不存在")
    text = _clean(alias)
    if not text:
        raise ValidationFailed([FieldError("alias", "请填写别名")])
    if len(text) > 100:
        raise ValidationFailed([FieldError("alias", "别名不能超过 100 个字")])
    existing = session.exec(select(InstitutionAlias).where(InstitutionAlias.alias == text)).first()
    if existing is not None or by_name(session, text) is not None:
        raise ValidationFailed([FieldError("alias", f"「{text}」已被登记为单位名称或别名")])
    row = InstitutionAlias(institution_id=institution_id, alias=text)
    session.add(row)
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="institution",
        entity_id=institution_id,
        action="update",
        field="alias",
        new=text,
    )
    return row


def remove_alias(session: Session, actor: Actor, alias_id: int) -> None:
    authorize(actor, "institution.manage")
    row = session.get(InstitutionAlias, alias_id)
    if row is None:
        raise NotFound("别名不存在")
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="institution",
        entity_id=row.institution_id,
        action="update",
        field="alias",
        old=row.alias,
    )
    session.delete(row)
