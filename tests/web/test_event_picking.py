"""The pairs page offers searchable pickers (labelled options a script can search; a plain select without it)."""

from __future__ import annotations

from typing import Any

FORM = {
    "name": "选择器测试专场",
    "event_date": "2030-05-20",
    "venue": "科创中心",
    "start_time": "14:00",
    "end_time": "15:00",
    "slot_minutes": "20",
    "breaks": "",
    "tables": "2",
    "min_meetings_per_participant": "1",
}


def test_the_pair_form_has_searchable_pickers_with_institution_company_and_field(
    client: Any, make: Any, login_as: Any, csrf: Any
) -> None:
    company = make.company(name="溧阳选择器页面企业")
    make.offer("重庆大学溧阳研究院", title="一种储能变流器控制方法", field="绿色储能")
    make.need(company, title="储能柜夏天过热", field="绿色储能")
    login_as("organizer")
    client.post("/events/new", data={**FORM, "csrf_token": csrf()})
    page = client.get("/events/1/pairs").text
    assert 'id="f-offer_id" data-picker="输入成果名称、单位或领域查找"' in page
    assert ">一种储能变流器控制方法（重庆大学溧阳研究院 · 绿色储能）</option>" in page
    assert ">储能柜夏天过热（溧阳选择器页面企业 · 绿色储能）</option>" in page
    assert '<script src="/static/js/picker.js"></script>' in page
    assert client.get("/static/js/picker.js").status_code == 200


def test_the_proposals_page_filters_by_field_and_pages(
    client: Any, make: Any, login_as: Any, csrf: Any
) -> None:
    company = make.company(name="溧阳推荐页面企业")
    make.offer(title="一种储能柜液冷散热结构", field="绿色储能")
    make.need(company, title="储能柜夏天过热需要散热", field="绿色储能")
    login_as("organizer")
    client.post("/events/new", data={**FORM, "csrf_token": csrf()})
    page = client.get("/events/1/proposals", params={"min_score": "0", "field": "绿色储能"})
    other = client.get("/events/1/proposals", params={"min_score": "0", "field": "生物医药", "page": "7"})
    assert page.status_code == 200 and '<option value="绿色储能" selected>' in page.text
    assert "储能柜夏天过热需要散热" in page.text
    assert other.status_code == 200 and 'data-testid="proposal-total">共 0 项（生物医药）' in other.text
