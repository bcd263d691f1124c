"""Companies: an SME user registers the company they work for and is bound to it.

One company per 统一社会信用代码. Registering a code that is already on file is refused rather than joining the
user to that company: anyone can type a company's public credit code, so joining an existing company is left to
the administrator, who can check that the person really works there.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlmodel import Session, col, select

from matchmaker.domain.companies import validate_company
from matchmaker.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from matchmaker.services.permissions import Actor, authorize
from matchmaker.storage import audit
from matchmaker.storage.models import Company, User


def register_company(
    session: Session,
    actor: Actor,
    raw: Mapping[str, object],
    *,
    towns: Collection[str],
    fields: Collection[str],
) -> Company:
    """Create the company and bind the acting SME user to it, in one transaction with its audit rows."""
    authorize(actor, "company.register")
    user = session.get(User, actor.id) if actor.id is not None else None
    if user is None or user.role != "sme":
        raise Conflict("只有企业技术人员账号可以登记企业")
    if user.company_id is not None:
        raise Conflict("您的账号已属于一家企业，不能再登记新的企业")
    draft = validate_company(raw, towns=towns, fields=fields)
    existing = session.exec(select(Company).where(Company.credit_code == draft.credit_code)).first()
    if existing is not None:
        raise ValidationFailed(
            [
                FieldError(
                    "credit_code",
                    f"统一社会信用代码 {draft.credit_code} 已登记为「{existing.name}」；如果您在该企业工作，请联系管理员把您的账号加入该企业",
                )
            ]
        )
    company = Company(
        name=draft.name,
        credit_code=draft.credit_code,
        town=draft.town,
        field=draft.field,
        description=draft.description,
    )
    session.add(company)
    session.flush()
    assert company.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="company",
        entity_id=company.id,
        action="create",
        new=f"{company.name}（{company.credit_code}）",
    )
    user.company_id = company.id
    session.add(user)
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="user",
        entity_id=user.id or 0,
        action="update",
        field="company_id",
        old=None,
        new=company.id,
        note="登记企业后绑定",
    )
    return company


def get_company(session: Session, company_id: int) -> Company:
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("企业不存在")
    return company


def all_companies(session: Session) -> list[Company]:
    """Every company by name, for pickers."""
    return list(session.exec(select(Company).order_by(col(Company.name))))


def own_company(session: Session, actor: Actor) -> Company | None:
    """The company the actor is bound to, if any."""
    return session.get(Company, actor.company_id) if actor.company_id else None


def names_by_id(session: Session, ids: Collection[int] | None = None) -> dict[int, str]:
    stmt = select(Company.id, Company.name)
    if ids is not None:
        stmt = stmt.where(col(Company.id).in_(list(ids)))
    return {cid: name for cid, name in session.exec(stmt) if cid is not None}
