"""Recording, changing and voiding contracts: checked, audited field by field, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, func, select

from matchmaker.domain.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from matchmaker.domain.identifiers import credit_code_check_char, org_code_check_char
from matchmaker.services import contracts, stats
from matchmaker.services.permissions import Actor
from matchmaker.services.reference import load_reference
from matchmaker.services.seeding import seed_reference
from matchmaker.settings import PROJECT_ROOT
from matchmaker.storage.models import AuditLog, Company, Contract

REFERENCE = load_reference(PROJECT_ROOT / "seed")
BUREAU = Actor(id=None, username="ipo_test", role="bureau")


def credit_code(n: int) -> str:
    org8 = f"{71000000 + n:08d}"
    first17 = "91320481" + org8 + org_code_check_char(org8)
    return first17 + credit_code_check_char(first17)


@pytest.fixture
def db(session: Session) -> Session:
    seed_reference(session, PROJECT_ROOT / "seed")
    session.add(Company(name="溧阳恒测新能源有限公司", credit_code=credit_code(1), town="昆仑街道"))
    session.flush()
    return session


def raw(**overrides: Any) -> dict[str, Any]:
    values = {
        "registration_number": "2024320481000901",
        "title": "储能电池热管理技术开发",
        "contract_type": "技术开发（委托）",
        "seller": "东大溧阳研究院",
        "buyer": "溧阳恒测新能源有限公司",
        "buyer_credit_code": credit_code(1),
        "amount_yuan": "1,250,000.00",
        "technology_amount_yuan": "",
        "signed_on": "2024-03-01",
        "registered_on": "2024-03-20",
        "field": "新能源与高效节能",
        "town": "昆仑街道",
    }
    values.update(overrides)
    return values


def audit_rows(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AuditLog)).one())


def test_a_recorded_contract_stores_exact_fen_and_the_canonical_seller(db: Session) -> None:
    contract = contracts.create_contract(db, BUREAU, REFERENCE, raw(amount_yuan="123.5万"))
    assert (
        contract.amount_fen,
        contract.technology_amount_fen,
        contract.seller_name,
        contract.contract_type,
        contract.sub_type,
    ) == (123_500_000, 123_500_000, "东南大学溧阳研究院", "技术开发", "委托")


def test_a_known_buyer_company_is_linked_by_credit_code(db: Session) -> None:
    contract = contracts.create_contract(db, BUREAU, REFERENCE, raw())
    company = db.exec(select(Company).where(Company.credit_code == credit_code(1))).one()
    assert contract.buyer_company_id == company.id


def test_creation_is_audited_field_by_field_with_amounts_in_yuan(db: Session) -> None:
    contract = contracts.create_contract(db, BUREAU, REFERENCE, raw())
    rows = {e.field: e.new for e in contracts.history(db, contract.id or 0)}
    assert (rows["amount_yuan"], rows["registration_number"], rows["seller"]) == (
        "1,250,000.00",
        "2024320481000901",
        "东南大学溧阳研究院",
    )


def test_a_changed_amount_is_audited_old_to_new(db: Session) -> None:
    contract = contracts.create_contract(db, BUREAU, REFERENCE, raw())
    changed = contracts.update_contract(db, BUREAU, REFERENCE, contract.id or 0, {"amount_yuan": "1300000"})
    last = contracts.history(db, contract.id or 0)[-1]
    assert (changed, last.action, last.old, last.new, last.username) == (
        ["amount_yuan"],
        "update",
        "1,250,000.00",
        "1,300,000.00",
        "ipo_test",
    )


def test_voiding_needs_a_reason_and_takes_the_contract_out_of_turnover(db: Session) -> None:
    contract = contracts.create_contract(db, BUREAU, REFERENCE, raw())
    with pytest.raises(ValidationFailed):
        contracts.void_contract(db, BUREAU, contract.id or 0, "  ")
    contracts.void_contract(db, BUREAU, contract.id or 0, "重复登记")
    assert (stats.totals(db, stats.StatsFilters()).amount_fen, db.get(Contract, contract.id).voided) == (
        0,
        True,
    )


def test_a_voided_contract_cannot_be_voided_again_or_changed(db: Session) -> None:
    contract = contracts.create_contract(db, BUREAU, REFERENCE, raw())
    contracts.void_contract(db, BUREAU, contract.id or 0, "重复登记")
    with pytest.raises(Conflict):
        contracts.void_contract(db, BUREAU, contract.id or 0, "再次")
    with pytest.raises(Conflict):
        contracts.update_contract(db, BUREAU, REFERENCE, contract.id or 0, {"title": "新名称"})


def test_only_the_bureau_and_admins_record_contracts(db: Session) -> None:
    organizer = Actor(id=None, username="org", role="organizer")
    with pytest.raises(PermissionDenied):
        contracts.create_contract(db, organizer, REFERENCE, raw())


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"amount_yuan": "-50,000.00"}, "amount_yuan", None),
    ({"amount_yuan": "约一百万左右"}, "amount_yuan", None),
    ({"amount_yuan": "abc"}, "amount_yuan", None),
    ({"amount_yuan": "0.1+0.2"}, "amount_yuan", None),
    ({"amount_yuan": "12,345.678"}, "amount_yuan", None),
    ({"registered_on": "2024-02-20"}, "registered_on", "登记日期 2024-02-20 早于合同签订日期 2024-03-01"),
    ({"technology_amount_yuan": "2,000,000"}, "technology_amount_yuan",
     "技术交易额 2,000,000.00 元不能大于合同成交额 1,250,000.00 元"),
    ({"seller": "某某科技大学"}, "seller", None),
    ({"buyer_credit_code": credit_code(2)}, "buyer_credit_code",
     f"统一社会信用代码为 {credit_code(2)} 的企业尚未在平台登记，请核对代码，或先登记该企业"),
    ({"offer_id": "999999"}, "offer_id", "关联的专利成果 #999999 不存在"),
])  # fmt: skip
def test_bad_input_is_refused_in_chinese_and_writes_nothing(
    db: Session, overrides: dict[str, str], field: str, message: str | None
) -> None:
    before = audit_rows(db)
    with pytest.raises(ValidationFailed) as failed:
        contracts.create_contract(db, BUREAU, REFERENCE, raw(**overrides))
    errors = failed.value.by_field()
    assert (field in errors, audit_rows(db), db.exec(select(func.count()).select_from(Contract)).one()) == (
        True,
        before,
        0,
    )
    if message is not None:
        assert errors[field] == message


def test_a_duplicate_registration_number_names_the_existing_contract(db: Session) -> None:
    first = contracts.create_contract(db, BUREAU, REFERENCE, raw())
    before = audit_rows(db)
    with pytest.raises(ValidationFailed) as failed:
        contracts.create_contract(db, BUREAU, REFERENCE, raw(title="另一个项目"))
    assert (failed.value.by_field()["registration_number"], audit_rows(db)) == (
        f"合同登记编号 2024320481000901 已被登记：合同 #{first.id}《储能电池热管理技术开发》",
        before,
    )


def test_a_company_seller_is_accepted_when_the_buyer_is_an_institution(db: Session) -> None:
    contract = contracts.create_contract(
        db,
        BUREAU,
        REFERENCE,
        raw(seller="溧阳恒测新能源有限公司", buyer="重大溧阳研究院", buyer_credit_code=credit_code(3)),
    )
    assert (contract.seller_institution_id, contract.buyer_name, contract.buyer_company_id) == (
        None,
        "重庆大学溧阳研究院",
        None,
    )


def test_prefilling_from_a_missing_meeting_is_not_found(db: Session) -> None:
    with pytest.raises(NotFound) as missing:
        contracts.prefill_from_meeting(db, REFERENCE, 424242)
    assert missing.value.message == "会谈 #424242 不存在"


def test_amounts_say_what_they_were_understood_as() -> None:
    assert contracts.understood_amounts(
        {"amount_yuan": "壹拾万元整", "technology_amount_yuan": "123.5万"}
    ) == {"amount_yuan": "壹拾万元整 → 100,000.00 元", "technology_amount_yuan": "123.5万 → 1,235,000.00 元"}
