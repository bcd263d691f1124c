"""Open licences end to end: a researcher declares, an SME takes in one step, the bureau registers the contract."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from matchmaker.storage.models import Contract, Licence, Notification, User

TERMS = {
    "fee_model": "一次性付费",
    "lump_sum_yuan": "120000",
    "period_years": "5",
    "scope": "中国境内，普通许可",
}


def count(services: Any, model: Any) -> int:
    with Session(services.engine) as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def test_declare_take_and_register_closes_the_loop(
    client: TestClient, login: Any, csrf: Any, make: Any, services: Any
) -> None:
    offer = make.offer()
    researcher = make.user("researcher")
    company = make.company()
    sme = make.user("sme", company=company)
    bureau = make.user("bureau")

    login(researcher.username)
    declared = client.post(f"/offers/{offer.id}/licence", data={**TERMS, "csrf_token": csrf()})
    assert "已声明开放许可：一次性付费 120,000.00 元，许可期限 5 年，中国境内，普通许可" in declared.text
    listed = client.get("/offers?open_licence=1").text
    assert f'data-offer="{offer.id}"' in listed and "开放许可</span>" in listed

    login(sme.username)
    taken = client.post(f"/offers/{offer.id}/licence/take", data={"csrf_token": csrf()})
    assert "已按开放许可取得许可" in taken.text
    again = client.post(f"/offers/{offer.id}/licence/take", data={"csrf_token": csrf()})
    assert "本企业已于" in again.text and count(services, Licence) == 1
    with Session(services.engine) as s:
        told = {
            s.get(User, n.user_id).role  # type: ignore[union-attr]
            for n in s.exec(select(Notification))
        }
    assert told == {"researcher", "sme", "bureau"}

    login(bureau.username)
    licence_id = 1
    draft = client.get(f"/contracts/new?licence={licence_id}").text
    assert 'value="技术许可（普通许可）"' in draft and 'value="120000.00"' in draft
    form = {
        name: draft.split(f'name="{name}" type="text" value="', 1)[1].split('"', 1)[0]
        for name in ("title", "contract_type", "seller", "buyer", "buyer_credit_code", "amount_yuan")
    }
    registered = client.post(
        "/contracts/new",
        data={
            **form,
            "registration_number": "2026320481000901",
            "signed_on": "2026-01-05",
            "registered_on": "2026-01-10",
            "offer_id": str(offer.id),
            "licence_id": str(licence_id),
            "csrf_token": csrf(),
        },
    )
    assert "已登记合同 2026320481000901" in registered.text
    with Session(services.engine) as s:
        licence = s.get(Licence, licence_id)
        contract = s.exec(select(Contract)).one()
        assert (
            licence is not None and licence.contract_id == contract.id and contract.amount_fen == 12_000_000
        )
    assert "已登记" in client.get(f"/licences/{licence_id}").text


def test_a_licence_on_an_offer_that_is_not_open_is_refused_and_nothing_is_written(
    client: TestClient, login: Any, csrf: Any, make: Any, services: Any
) -> None:
    offer = make.offer()
    login(make.user("sme", company=make.company()).username)
    page = client.post(f"/offers/{offer.id}/licence/take", data={"csrf_token": csrf()})
    assert "该成果没有声明开放许可" in page.text
    assert (count(services, Licence), count(services, Notification)) == (0, 0)


def test_bad_terms_are_shown_beside_the_fields(client: TestClient, login: Any, csrf: Any, make: Any) -> None:
    offer = make.offer()
    login(make.user("researcher").username)
    page = client.post(
        f"/offers/{offer.id}/licence",
        data={
            "fee_model": "按销售额提成",
            "royalty_rate": "3.125",
            "period_years": "5",
            "scope": "x",
            "csrf_token": csrf(),
        },
    )
    assert page.status_code == 422
    assert (
        '<div class="error" data-field="royalty_rate">提成比例「3.125」应为大于 0、小于 100 的百分数，最多两位小数，如 3.5</div>'
        in page.text
    )


def test_another_institution_may_not_declare(client: TestClient, login: Any, csrf: Any, make: Any) -> None:
    offer = make.offer()
    login(make.user("researcher", institution="重庆大学溧阳研究院").username)
    page = client.post(f"/offers/{offer.id}/licence", data={**TERMS, "csrf_token": csrf()})
    assert page.status_code == 403
