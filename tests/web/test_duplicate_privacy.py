"""A duplicate message names the existing offer (title, link) only to those who may see it: registering a number
that another institution holds as a draft says only that the number is taken."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

SEU = "东南大学溧阳研究院"
NUAA = "南京航空航天大学天目湖校区"
SECRET_TITLE = "一种尚未公开的钠离子电池负极材料"
NUMBER = "202310198211.X"


def _form(token: str) -> dict[str, Any]:
    return {
        "csrf_token": token, "title": "另一种写法的标题", "application_number": NUMBER, "patent_type": "发明",
        "legal_status": "审中", "ipc": "H01M 10/0562", "inventors": "王平", "institution": NUAA,
        "transfer_modes": ["转让"], "price_wan": "80", "trl": "5", "field": "动力电池", "contact": "王工",
        "abstract": "本发明公开了一种方法。", "claims": "", "status": "发布",
    }  # fmt: skip


@pytest.fixture
def hidden_draft(make: Any) -> Any:
    return make.offer(
        SEU, title=SECRET_TITLE, application_number=NUMBER, patent_key="202310198211", status="草稿"
    )


def test_the_form_does_not_reveal_another_institutions_draft(
    client: TestClient, login_as: Any, csrf: Any, hidden_draft: Any
) -> None:
    login_as("researcher", institution=NUAA)
    page = client.post("/offers/new", data=_form(csrf("/offers/new")))
    assert (
        page.status_code,
        "已在平台登记，不能重复登记" in page.text,
        SECRET_TITLE in page.text,
        f"/offers/{hidden_draft.id}" in page.text,
    ) == (422, True, False, False)


def test_the_api_does_not_reveal_another_institutions_draft(
    client: TestClient, login_as: Any, csrf: Any, hidden_draft: Any
) -> None:
    login_as("researcher", institution=NUAA)
    body = {
        "title": "另一种写法的标题", "application_number": NUMBER, "patent_type": "发明", "transfer_modes": ["转让"],
        "price_wan": 80, "trl": 5, "field": "动力电池", "status": "发布",
    }  # fmt: skip
    response = client.post("/api/v1/offers", json=body, headers={"X-CSRF-Token": csrf()})
    assert (response.status_code, response.json()["errors"]) == (
        422,
        [{"field": "application_number", "message": f"该专利（申请号 {NUMBER}）已在平台登记，不能重复登记"}],
    )


def test_the_import_preview_does_not_reveal_another_institutions_draft(
    client: TestClient, login_as: Any, csrf: Any, hidden_draft: Any
) -> None:
    login_as("researcher", institution=NUAA)
    sheet = (
        "专利名称,申请号,专利类型,法律状态,权利人,转化方式,意向价格（万元）,技术成熟度,所属领域\n"
        f"另一种写法的标题,{NUMBER},发明,审中,{NUAA},转让,80,5,动力电池\n"
    ).encode()
    page = client.post("/import/offers", data={"csrf_token": csrf()}, files={"file": ("o.csv", sheet)})
    if 'data-testid="job-next"' in page.text:  # the preview runs as a job: follow its page to the preview
        page = client.get(
            page.text.split('data-testid="job-next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
        )
    assert (
        'data-testid="duplicate-count">重复 1<' in page.text,
        "平台已登记的专利" in page.text,
        SECRET_TITLE in page.text,
        f"/offers/{hidden_draft.id}" in page.text,
    ) == (True, True, False, False)


def test_the_owning_institution_still_sees_which_offer_it_repeats(
    client: TestClient, login_as: Any, csrf: Any, hidden_draft: Any
) -> None:
    login_as("researcher", institution=SEU)
    page = client.post("/offers/new", data={**_form(csrf("/offers/new")), "institution": SEU})
    assert (
        page.status_code,
        SECRET_TITLE in page.text,
        f'href="/offers/{hidden_draft.id}"' in page.text,
    ) == (
        422,
        True,
        True,
    )
