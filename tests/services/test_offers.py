"""Offers service: create, edit and status with permissions, duplicates, audit, visibility and the listing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from matchmaker.domain.errors import NotFound, PermissionDenied, ValidationFailed
from matchmaker.services import accounts, offers
from matchmaker.services.offers import DuplicateOffer, OfferFilters
from matchmaker.services.permissions import Actor
from matchmaker.storage.models import AuditLog, Offer

SEU = "东南大学溧阳研究院"
NUAA = "南京航空航天大学天目湖校区"


def values(**overrides: Any) -> dict[str, Any]:
    """A complete, valid offer as a form would send it."""
    base: dict[str, Any] = {
        "title": "一种固态电解质界面修饰方法", "abstract": "本发明公开了一种界面修饰方法。", "claims": "1. 一种方法。",
        "application_number": "CN 202310198211.X", "patent_type": "发明", "legal_status": "审中",
        "ipc": "H01M 10/0562; H01M 10/0525", "inventors": "王平、李强", "institution": SEU,
        "transfer_modes": ["转让", "普通许可"], "price_wan": "80", "trl": "5", "field": "动力电池",
        "contact": "王工 0519-87000000",
    }  # fmt: skip
    base.update(overrides)
    return base


@pytest.fixture
def seu(make) -> Actor:  # type: ignore[no-untyped-def]
    return accounts.actor_for(make.user("researcher", institution=SEU))


@pytest.fixture
def nuaa(make) -> Actor:  # type: ignore[no-untyped-def]
    return accounts.actor_for(make.user("researcher", institution=NUAA))


def audit_rows(services, offer_id: int) -> list[tuple[str, str, str | None, str | None]]:  # type: ignore[no-untyped-def]
    with services.session() as s:
        rows = s.exec(
            select(AuditLog)
            .where(AuditLog.entity == "offer", AuditLog.entity_id == offer_id)
            .order_by(col(AuditLog.id))
        ).all()
    return [(r.action, r.field, r.old, r.new) for r in rows]


def test_a_researcher_creates_a_draft_of_their_institution_with_normalised_fields(services, seu) -> None:
    with services.transaction() as session:
        offer = offers.create_offer(session, seu, values(institution=""), fields=services.reference.fields)

    with services.session() as s:
        stored = s.get(Offer, offer.id)
    assert (stored.application_number, stored.patent_key, stored.status) == (
        "202310198211.X",
        "202310198211",
        "草稿",
    )
    assert (stored.ipc, stored.inventors, stored.transfer_modes) == (
        ["H01M 10/0562", "H01M 10/0525"],
        ["王平", "李强"],
        ["转让", "普通许可"],
    )
    assert (stored.institution_id, stored.price_wan, stored.trl, stored.created_by) == (
        seu.institution_id,
        80,
        5,
        seu.id,
    )
    assert audit_rows(services, offer.id) == [("create", "", None, "一种固态电解质界面修饰方法")]


def test_creating_as_published_records_the_draft_to_published_step(services, seu) -> None:
    with services.transaction() as session:
        offer = offers.create_offer(session, seu, values(), status="发布", fields=services.reference.fields)

    assert offer.status == "发布"
    assert [row[:4] for row in audit_rows(services, offer.id)] == [
        ("create", "", None, "一种固态电解质界面修饰方法"),
        ("status", "status", "草稿", "发布"),
    ]


def test_every_field_error_comes_back_at_once_and_nothing_is_stored(services, seu) -> None:
    with pytest.raises(ValidationFailed) as failed, services.transaction() as session:
        offers.create_offer(
            session,
            seu,
            values(
                title="",
                application_number="201920851901.2",
                trl="12",
                price_wan="-20",
                patent_type="实用新型",
            ),
            fields=services.reference.fields,
        )

    assert sorted(failed.value.by_field()) == ["application_number", "price_wan", "title", "trl"]
    with services.session() as s:
        assert s.exec(select(Offer)).all() == []


def test_the_type_digit_must_agree_with_the_patent_type(services, seu) -> None:
    with pytest.raises(ValidationFailed) as failed, services.transaction() as session:
        offers.create_offer(session, seu, values(patent_type="实用新型"), fields=services.reference.fields)

    assert failed.value.by_field() == {
        "patent_type": "专利类型「实用新型」与申请号 202310198211.X 不符：类型位 1 表示发明"
    }


def test_the_same_patent_with_another_prefix_is_refused_naming_the_existing_offer(services, seu) -> None:
    with services.transaction() as session:
        first = offers.create_offer(session, seu, values(), fields=services.reference.fields)

    with pytest.raises(DuplicateOffer) as refused, services.transaction() as session:
        offers.create_offer(
            session,
            seu,
            values(application_number="ZL202310198211.X", title="另一个标题完全不同的专利"),
            fields=services.reference.fields,
        )

    assert (refused.value.offer_id, refused.value.probable) == (first.id, False)
    assert refused.value.by_field() == {
        "application_number": (
            f"该专利（申请号 202310198211.X）已登记为成果 #{first.id}「一种固态电解质界面修饰方法」，"
            f"不能重复登记（查看：/offers/{first.id}）"
        )
    }


def test_a_near_identical_title_of_the_same_institution_needs_confirmation(services, seu) -> None:
    with services.transaction() as session:
        first = offers.create_offer(
            session,
            seu,
            values(title="一种芹菜类蔬菜采后气调保鲜方法", field="现代农业", ipc="A23B 7/148"),
            fields=services.reference.fields,
        )
    other = values(
        title="一种新型芹菜类蔬菜采后气调保鲜方法",
        application_number="202310198212.4",
        field="现代农业",
        ipc="A23B 7/148",
    )

    with pytest.raises(DuplicateOffer) as flagged, services.transaction() as session:
        offers.create_offer(session, seu, other, fields=services.reference.fields)
    with services.transaction() as session:
        confirmed = offers.create_offer(
            session, seu, other, confirm_duplicate=True, fields=services.reference.fields
        )

    assert (flagged.value.offer_id, flagged.value.probable) == (first.id, True)
    assert list(flagged.value.by_field()) == ["title"]
    with services.session() as s:
        note = s.exec(
            select(AuditLog.note).where(AuditLog.entity_id == confirmed.id, AuditLog.action == "create")
        ).one()
    assert note == "已确认不是重复登记"


def test_a_near_identical_title_of_another_institution_is_not_a_duplicate(services, seu, nuaa) -> None:
    with services.transaction() as session:
        offers.create_offer(session, seu, values(), fields=services.reference.fields)

    with services.transaction() as session:
        offer = offers.create_offer(
            session,
            nuaa,
            values(
                institution=NUAA, application_number="202310198212.4", title="一种新型固态电解质界面修饰方法"
            ),
            fields=services.reference.fields,
        )

    assert offer.id is not None


def test_another_institutions_researcher_gets_403_on_create_edit_and_status(services, seu, nuaa) -> None:
    with services.transaction() as session:
        offer = offers.create_offer(session, seu, values(), status="发布", fields=services.reference.fields)

    with pytest.raises(PermissionDenied, match="只能为本单位发布专利成果"), services.transaction() as session:
        offers.create_offer(
            session, nuaa, values(application_number="202310198212.4"), fields=services.reference.fields
        )
    with pytest.raises(PermissionDenied, match="只能修改本单位的专利成果"), services.transaction() as session:
        offers.update_offer(
            session, nuaa, offer.id, values(title="被改掉的标题"), fields=services.reference.fields
        )
    with (
        pytest.raises(PermissionDenied, match="只能变更本单位专利成果的状态"),
        services.transaction() as session,
    ):
        offers.change_status(session, nuaa, offer.id, "撤回")
    with pytest.raises(PermissionDenied), services.transaction() as session:
        offers.update_offer(
            session, seu, offer.id, values(institution=NUAA), fields=services.reference.fields
        )

    with services.session() as s:
        stored = s.get(Offer, offer.id)
    assert (stored.title, stored.status, stored.institution_id) == (
        "一种固态电解质界面修饰方法",
        "发布",
        seu.institution_id,
    )


@pytest.mark.parametrize("role", ["sme", "organizer", "bureau"])
def test_roles_other_than_researcher_and_admin_cannot_create_offers(services, make, role: str) -> None:
    actor = accounts.actor_for(make.user(role))

    with pytest.raises(PermissionDenied), services.transaction() as session:
        offers.create_offer(session, actor, values(), fields=services.reference.fields)


def test_an_admin_may_list_for_any_institution(services, make) -> None:
    admin = accounts.actor_for(make.user("admin"))

    with services.transaction() as session:
        offer = offers.create_offer(
            session, admin, values(institution="东大溧阳研究院"), fields=services.reference.fields
        )

    assert offer.institution_id == make.institution(SEU).id


def test_an_edit_records_one_audit_row_per_changed_field(services, seu) -> None:
    with services.transaction() as session:
        offer = offers.create_offer(session, seu, values(), fields=services.reference.fields)

    with services.transaction() as session:
        offers.update_offer(
            session,
            seu,
            offer.id,
            values(price_wan="", price_negotiable="1", trl="7", transfer_modes=["转让"]),
            fields=services.reference.fields,
        )

    assert audit_rows(services, offer.id)[1:] == [
        ("update", "transfer_modes", "转让、普通许可", "转让"),
        ("update", "price_wan", "80", None),
        ("update", "trl", "5", "7"),
    ]


def test_an_edit_may_keep_its_own_patent_number_and_title(services, seu) -> None:
    with services.transaction() as session:
        offer = offers.create_offer(session, seu, values(), fields=services.reference.fields)

    with services.transaction() as session:
        offers.update_offer(
            session, seu, offer.id, values(contact="李工 13800000000"), fields=services.reference.fields
        )

    assert audit_rows(services, offer.id)[1:] == [
        ("update", "contact", "王工 0519-87000000", "李工 13800000000")
    ]


def test_the_status_flow_allows_exactly_the_documented_transitions(services, seu) -> None:
    with services.transaction() as session:
        offer = offers.create_offer(session, seu, values(), fields=services.reference.fields)
    steps = ["发布", "撤回", "草稿", "发布", "已转化"]

    for status in steps:
        with services.transaction() as session:
            offers.change_status(session, seu, offer.id, status)

    assert [row[2:] for row in audit_rows(services, offer.id) if row[0] == "status"] == [
        ("草稿", "发布"),
        ("发布", "撤回"),
        ("撤回", "草稿"),
        ("草稿", "发布"),
        ("发布", "已转化"),
    ]


@pytest.mark.parametrize(("path", "refused", "message"), [
    ([], "已转化", "不能从「草稿」改为「已转化」：「草稿」只能改为发布"),
    (["发布"], "草稿", "不能从「发布」改为「草稿」：「发布」只能改为已转化或撤回"),
    (["发布", "撤回"], "发布", "不能从「撤回」改为「发布」：「撤回」只能改为草稿"),
    (["发布", "已转化"], "撤回", "成果已是「已转化」状态，不能再变更"),
    ([], "删除", "状态「删除」无效，应为草稿、发布、已转化、撤回之一"),
])  # fmt: skip
def test_illegal_transitions_are_refused_in_chinese(services, seu, path, refused, message) -> None:
    with services.transaction() as session:
        offer = offers.create_offer(session, seu, values(), fields=services.reference.fields)
    for status in path:
        with services.transaction() as session:
            offers.change_status(session, seu, offer.id, status)

    with pytest.raises(ValidationFailed) as failed, services.transaction() as session:
        offers.change_status(session, seu, offer.id, refused)

    assert failed.value.by_field() == {"status": message}


def test_listeners_hear_each_committed_change_and_a_failing_one_does_not_undo_it(services, seu) -> None:
    heard: list[tuple[int, str]] = []

    def broken(_offer_id: int, _change: str) -> None:
        raise RuntimeError("index down")

    services.listeners.offer.extend([broken, lambda offer_id, change: heard.append((offer_id, change))])
    with services.transaction() as session:
        offer = offers.create_offer(session, seu, values(), fields=services.reference.fields)
    with services.transaction() as session:
        offers.update_offer(session, seu, offer.id, values(trl="6"), fields=services.reference.fields)
    with services.transaction() as session:
        offers.change_status(session, seu, offer.id, "发布")

    assert heard == [(offer.id, "created"), (offer.id, "updated"), (offer.id, "status")]


def test_drafts_and_withdrawn_offers_are_visible_only_inside_their_institution(
    services, make, seu, nuaa
) -> None:
    published = make.offer(SEU, status="发布")
    draft = make.offer(SEU, status="草稿")
    withdrawn = make.offer(SEU, status="撤回")
    converted = make.offer(SEU, status="已转化")
    sme = accounts.actor_for(make.user("sme"))
    admin = accounts.actor_for(make.user("admin"))

    def ids(actor: Actor) -> set[int]:
        with services.session() as session:
            return {row.offer.id for row in offers.list_offers(session, actor, OfferFilters()).rows}

    assert ids(seu) == {published.id, draft.id, withdrawn.id, converted.id}
    assert ids(admin) == {published.id, draft.id, withdrawn.id, converted.id}
    assert ids(nuaa) == {published.id, converted.id}
    assert ids(sme) == {published.id, converted.id}
    with pytest.raises(NotFound), services.session() as session:
        offers.get_offer(session, nuaa, draft.id)
    with services.session() as session:
        assert offers.get_offer(session, sme, converted.id).offer.id == converted.id


def test_the_list_filters_sorts_and_pages(services, make, seu) -> None:
    cheap = make.offer(SEU, price_wan=10, trl=3, title="一种低价储能电池")
    dear = make.offer(SEU, price_wan=300, trl=8, field="新能源", title="一种高价光伏组件")
    negotiable = make.offer(NUAA, price_wan=None, trl=6, patent_type="实用新型", title="一种储能柜")

    def ids(filters: OfferFilters, sort: str = "updated") -> list[int]:
        with services.session() as session:
            return [row.offer.id for row in offers.list_offers(session, seu, filters, sort=sort).rows]

    assert ids(OfferFilters(), "price_asc") == [cheap.id, dear.id, negotiable.id]
    assert ids(OfferFilters(), "trl_desc") == [dear.id, negotiable.id, cheap.id]
    assert ids(OfferFilters(price_min_wan=50)) == [dear.id]
    assert ids(OfferFilters(trl_min=4, trl_max=7)) == [negotiable.id]
    assert ids(OfferFilters(field="新能源")) == [dear.id]
    assert ids(OfferFilters(patent_type="实用新型")) == [negotiable.id]
    assert ids(OfferFilters(institution_id=make.institution(NUAA).id)) == [negotiable.id]
    assert ids(OfferFilters(q="储能"), "price_asc") == [cheap.id, negotiable.id]
    assert ids(OfferFilters(mine=True), "price_asc") == [cheap.id, dear.id]
    with services.session() as session:
        second = offers.list_offers(session, seu, OfferFilters(), sort="price_asc", page=2, per_page=2)
    assert ([row.offer.id for row in second.rows], second.total, second.pages) == ([negotiable.id], 3, 2)


def test_the_detail_shows_the_status_history_from_the_audit_log(services, seu, nuaa) -> None:
    with services.transaction() as session:
        offer = offers.create_offer(session, seu, values(), fields=services.reference.fields)
    with services.transaction() as session:
        offers.change_status(session, seu, offer.id, "发布")

    with services.session() as session:
        mine = offers.get_offer(session, seu, offer.id)
    with services.session() as session:
        theirs = offers.get_offer(session, nuaa, offer.id)

    assert [(h.old, h.new) for h in mine.status_history] == [(None, "草稿"), ("草稿", "发布")]
    assert (mine.can_edit, tuple(mine.next_statuses)) == (True, ("已转化", "撤回"))
    assert (theirs.can_edit, tuple(theirs.next_statuses)) == (False, ())
    assert mine.institution.canonical_name == SEU
