"""Organizer pickers: labelled offers and needs; proposals filtered by field and paged."""

from __future__ import annotations

from matchmaker.services import event_picking
from matchmaker.services.event_proposals import Proposal


def test_options_carry_institution_company_and_field_so_a_picker_can_find_them(services, make) -> None:
    company = make.company(name="溧阳选择器测试企业")
    offer = make.offer("东南大学溧阳研究院", title="一种电芯鼓胀抑制方法", field="动力电池")
    make.offer(status="草稿", title="草稿成果不出现")
    need = make.need(company, title="电芯放一周就鼓", field="动力电池")
    with services.session() as s:
        offers = event_picking.offer_options(s)
        needs = event_picking.need_options(s)
    assert [o.label for o in offers if o.value == offer.id] == [
        "一种电芯鼓胀抑制方法（东南大学溧阳研究院 · 动力电池）"
    ]
    assert "草稿成果不出现" not in [o.title for o in offers]
    assert [n.label for n in needs if n.value == need.id] == [
        "电芯放一周就鼓（溧阳选择器测试企业 · 动力电池）"
    ]


def test_proposals_are_filtered_by_the_need_or_offer_field_and_cut_into_pages(services, make) -> None:
    company = make.company()
    battery = make.offer(field="动力电池")
    other = make.offer(field="智能制造")
    needs = [make.need(company, field="动力电池" if i % 2 else "新材料") for i in range(45)]
    found = [Proposal(battery.id, n.id, "电池成果", n.title, 0.9, ()) for n in needs] + [
        Proposal(other.id, needs[0].id, "装备成果", needs[0].title, 0.5, ())
    ]
    with services.session() as s:
        everything = event_picking.proposal_page(s, found, page=3)
        machining = event_picking.proposal_page(s, found, field="智能制造")
        new_material = event_picking.proposal_page(s, found, field="新材料", page=9)
    assert (everything.total, everything.pages, everything.page, len(everything.rows)) == (46, 3, 3, 6)
    assert [(p.offer_id, p.need_id) for p in machining.rows] == [(other.id, needs[0].id)]
    assert machining.fields[(other.id, needs[0].id)] == "新材料 / 智能制造"
    # 23 needs in 新材料 plus the 装备 proposal on one of them; page 9 is clamped to the last page
    assert (new_material.total, new_material.pages, new_material.page) == (24, 2, 2)
