"""The schema behaves the same on SQLite and PostgreSQL: constraints, exact money, JSON lists, audit trail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from matchmaker.domain.money import fen_to_yuan, yuan_to_fen
from matchmaker.storage import audit
from matchmaker.storage.models import AuditLog, Company, Contract, Institution, InstitutionAlias, Offer, User


def _institution(session: Session) -> Institution:
    inst = Institution(canonical_name="测试研究院", short_name="测研")
    session.add(inst)
    session.flush()
    return inst


def _contract(number: str, amount: str, **kw: object) -> Contract:
    return Contract(
        registration_number=number,
        title="测试合同",
        contract_type="技术开发",
        seller_name="测试研究院",
        buyer_name="某公司",
        buyer_credit_code="91320481MA1XXXXXXX",
        amount_fen=yuan_to_fen(Decimal(amount)),
        technology_amount_fen=yuan_to_fen(Decimal(amount)),
        signed_on=date(2024, 1, 2),
        registered_on=date(2024, 1, 5),
        **kw,
    )


def test_institution_alias_cannot_be_registered_twice(session: Session) -> None:
    inst = _institution(session)
    session.add(InstitutionAlias(institution_id=inst.id, alias="测研院"))
    session.flush()
    session.add(InstitutionAlias(institution_id=inst.id, alias="测研院"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_same_patent_key_cannot_be_stored_twice(session: Session) -> None:
    inst = _institution(session)
    base = dict(
        title="一种隔膜",
        application_number="201710601862.3",
        patent_key="201710601862",
        patent_type="发明",
        legal_status="有效",
        institution_id=inst.id,
    )
    session.add(Offer(**base))
    session.flush()
    session.add(Offer(**{**base, "title": "另一种隔膜", "application_number": "CN201710601862.3"}))
    with pytest.raises(IntegrityError):
        session.flush()


def test_offer_lists_round_trip_through_json_columns(session: Session) -> None:
    inst = _institution(session)
    offer = Offer(
        title="一种电池管理系统",
        application_number="201710601862.3",
        patent_key="201710601862",
        patent_type="发明",
        legal_status="有效",
        institution_id=inst.id,
        ipc=["H01M 10/0525", "H02J 7/00"],
        inventors=["张三", "李四"],
        transfer_modes=["转让", "普通许可"],
    )
    session.add(offer)
    session.commit()
    session.expire_all()
    loaded = session.get(Offer, offer.id)
    assert loaded is not None
    assert (loaded.ipc, loaded.inventors, loaded.transfer_modes) == (
        ["H01M 10/0525", "H02J 7/00"],
        ["张三", "李四"],
        ["转让", "普通许可"],
    )


def test_contract_amounts_sum_exactly_to_the_fen(session: Session) -> None:
    amounts = ["0.10", "0.20", "1234567.89", "99999999999.99"]
    for i, amount in enumerate(amounts):
        session.add(_contract(f"2024320481{i:06d}", amount))
    session.flush()
    total_fen = session.exec(select(func.sum(Contract.amount_fen))).one()
    assert fen_to_yuan(int(total_fen)) == sum(Decimal(a) for a in amounts)


def test_registration_number_is_unique(session: Session) -> None:
    session.add(_contract("2024320481000001", "100.00"))
    session.flush()
    session.add(_contract("2024320481000001", "200.00"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_company_credit_code_is_unique(session: Session) -> None:
    session.add(Company(name="甲公司", credit_code="91320481MA1XXXXXXX"))
    session.flush()
    session.add(Company(name="乙公司", credit_code="91320481MA1XXXXXXX"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_audit_changes_record_one_row_per_changed_field_in_order(session: Session) -> None:
    user = User(username="bureau1", display_name="局", role="bureau", password_hash="x")
    session.add(user)
    session.flush()
    changed = audit.record_changes(
        session,
        user_id=user.id,
        username=user.username,
        entity="contract",
        entity_id=7,
        before={"amount_yuan": "100.00", "title": "甲", "town": "溧城街道"},
        after={"amount_yuan": "150.00", "title": "甲", "town": "昆仑街道"},
    )
    session.flush()
    rows = audit.history(session, "contract", 7)
    assert changed == ["amount_yuan", "town"]
    assert [(r.field, r.old, r.new, r.username) for r in rows] == [
        ("amount_yuan", "100.00", "150.00", "bureau1"),
        ("town", "溧城街道", "昆仑街道", "bureau1"),
    ]


def test_audit_rows_roll_back_with_the_change_they_describe(db_engine) -> None:  # type: ignore[no-untyped-def]
    with Session(db_engine) as s:
        before = s.exec(select(func.count()).select_from(AuditLog)).one()
        s.add(_contract("2099320481000001", "1.00"))
        s.flush()
        audit.record(s, user_id=None, username="t", entity="contract", entity_id=1, action="create")
        s.rollback()
        assert s.exec(select(func.count()).select_from(AuditLog)).one() == before
        assert (
            s.exec(select(Contract).where(Contract.registration_number == "2099320481000001")).first() is None
        )
