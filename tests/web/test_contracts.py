"""The bureau's contract pages and API: form errors beside fields, history, import UI, exports that add up."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from matchmaker.domain.identifiers import credit_code_check_char, org_code_check_char
from matchmaker.services.seeding import seed_demo
from matchmaker.settings import PROJECT_ROOT
from matchmaker.storage.models import AuditLog, Contract, Meeting

SAMPLE = PROJECT_ROOT / "samples" / "contracts_export.csv"


def _code(n: int) -> str:
    org8 = f"{72000000 + n:08d}"
    first17 = "91320481" + org8 + org_code_check_char(org8)
    return first17 + credit_code_check_char(first17)


@pytest.fixture
def form(make: Any) -> Any:
    """``form(**overrides)``: a valid contract form for a company created once per test."""
    make.company(name="溧阳网页测试有限公司", credit_code=_code(1))
    return lambda **overrides: _values(**overrides)


def _values(**overrides: str) -> dict[str, str]:
    values = {
        "registration_number": "2025320481000777",
        "title": "智能电网巡检算法开发",
        "contract_type": "技术开发",
        "seller": "南航天目湖校区",
        "buyer": "溧阳网页测试有限公司",
        "buyer_credit_code": _code(1),
        "amount_yuan": "123.5万",
        "signed_on": "2025-02-01",
        "registered_on": "2025-02-10",
        "field": "电子信息",
        "town": "溧城街道",
    }
    values.update(overrides)
    return values


def counts(services: Any) -> tuple[int, int]:
    with Session(services.engine) as s:
        return (
            s.exec(select(func.count()).select_from(Contract)).one(),
            s.exec(select(func.count()).select_from(AuditLog)).one(),
        )


def test_recording_a_contract_redirects_to_its_page_with_what_the_amount_was_read_as(
    client: TestClient, login_as: Any, form: Any, csrf: Any
) -> None:
    login_as("bureau")
    response = client.post("/contracts/new", data={**form(), "csrf_token": csrf()})
    assert (
        response.status_code,
        "已登记合同 2025320481000777；成交额读作：123.5万 → 1,235,000.00 元" in response.text,
        "1,235,000.00 元" in response.text,
    ) == (200, True, True)


def test_a_bad_form_comes_back_422_with_the_message_beside_the_field_and_nothing_written(
    client: TestClient, login_as: Any, form: Any, csrf: Any, services: Any
) -> None:
    login_as("bureau")
    before = counts(services)
    response = client.post(
        "/contracts/new",
        data={**form(amount_yuan="0.1+0.2", registered_on="2025-01-20"), "csrf_token": csrf()},
    )
    assert (
        response.status_code,
        'data-field="registered_on">登记日期 2025-01-20 早于合同签订日期 2025-02-01<' in response.text,
        'data-field="amount_yuan"' in response.text,
        'value="0.1+0.2"' in response.text,
        counts(services),
    ) == (422, True, True, True, before)


def test_changing_the_amount_shows_old_and_new_in_the_history(
    client: TestClient, login_as: Any, form: Any, csrf: Any
) -> None:
    user = login_as("bureau")
    client.post("/contracts/new", data={**form(), "csrf_token": csrf()})
    with_token = {**form(amount_yuan="1,300,000.00"), "csrf_token": csrf()}
    page = client.post("/contracts/1/edit", data=with_token)
    row = page.text.rsplit("<td>合同成交额（元）</td>", 1)[1].split("</tr>", 1)[0]
    assert (page.status_code, f"<td>{user.username}</td>" in page.text, row) == (
        200,
        True,
        "<td>1,235,000.00</td><td>1,300,000.00</td><td></td>",
    )


def test_voiding_without_a_reason_is_refused_and_with_one_leaves_turnover(
    client: TestClient, login_as: Any, form: Any, csrf: Any
) -> None:
    login_as("bureau")
    client.post("/contracts/new", data={**form(), "csrf_token": csrf()})
    refused = client.post("/contracts/1/void", data={"reason": "", "csrf_token": csrf()})
    client.post("/contracts/1/void", data={"reason": "登记错误", "csrf_token": csrf()})
    turnover = client.get("/api/v1/stats/turnover").json()
    assert (refused.status_code, turnover["selected"]["amount_yuan"]) == (422, "0.00")


def test_organizers_see_the_dashboard_but_cannot_record_contracts(client: TestClient, login_as: Any) -> None:
    login_as("organizer")
    assert (client.get("/stats").status_code, client.get("/contracts/new").status_code) == (200, 403)


def _upload(client: TestClient, csrf: Any, name: str, data: bytes, kind: str = "text/csv") -> Any:
    """Upload, land on the preview job's page (jobs run inline in tests) and follow it to the preview."""
    job = client.post(
        "/contracts/import",
        data={"csrf_token": csrf("/contracts/import")},
        files={"file": (name, data, kind)},
    )
    if 'data-testid="job-next"' not in job.text:
        return job
    return client.get(job.text.split('data-testid="job-next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0])


def test_the_import_previews_then_commits_the_sample(client: TestClient, login_as: Any, csrf: Any) -> None:
    login_as("bureau")
    preview = _upload(client, csrf, "contracts_export.csv", SAMPLE.read_bytes())
    token = str(preview.url).rsplit("/", 1)[1]
    done = client.post(f"/contracts/import/{token}", data={"csrf_token": csrf()})
    assert (
        'data-testid="preview-total">20,188,003.61<' in preview.text,
        "已导入 33 份技术合同，合同成交额合计 20,188,003.61 元；2 行重复、5 行有误，未导入" in done.text,
    ) == (True, True)


def test_an_unreadable_upload_is_reported_beside_the_file_field(
    client: TestClient, login_as: Any, csrf: Any
) -> None:
    login_as("bureau")
    response = client.post(
        "/contracts/import",
        data={"csrf_token": csrf("/contracts/import")},
        files={"file": ("notes.pdf", b"%PDF-1.4 hello", "application/pdf")},
    )
    assert (response.status_code, 'data-field="file"' in response.text) == (422, True)


def test_a_file_without_the_columns_fails_its_job_with_the_reason(
    client: TestClient, login_as: Any, csrf: Any
) -> None:
    login_as("bureau")
    page = _upload(client, csrf, "notes.txt", b"hello", "text/plain")
    assert ('data-state="failed"' in page.text, ">重试</button>" in page.text) == (True, True)


def test_the_exports_total_equals_the_dashboard_to_the_fen(
    client: TestClient, login_as: Any, csrf: Any
) -> None:
    login_as("bureau")
    preview = _upload(client, csrf, "c.csv", SAMPLE.read_bytes())
    token = str(preview.url).rsplit("/", 1)[1]
    client.post(f"/contracts/import/{token}", data={"csrf_token": csrf()})
    every_year = "/stats?year_from=&year_to="  # 不限 (the page opens on the current period)
    dashboard = client.get(every_year).text.split('data-testid="filtered-yuan">', 1)[1].split("<", 1)[0]
    report = list(csv.reader(io.StringIO(client.get(every_year + "&export=csv").content.decode("utf-8-sig"))))
    listing = list(csv.reader(io.StringIO(client.get("/contracts?export=csv").content.decode("utf-8-sig"))))
    assert (dashboard, report[2][3], listing[-1][7]) == ("20,188,003.61", "20188003.61", "20188003.61")


def test_a_contract_started_from_a_signing_meeting_is_prefilled_and_linked(
    client: TestClient, login_as: Any, services: Any
) -> None:
    with Session(services.engine) as s:
        seed_demo(s, services.settings.seed_dir)
        s.commit()
        meeting = s.exec(select(Meeting).where(Meeting.outcome == "签约")).first()
    assert meeting is not None
    login_as("bureau")
    page = client.get(f"/contracts/new?meeting={meeting.id}").text
    assert (
        f'name="meeting_id" type="text" value="{meeting.id}"' in page,
        f'name="event_id" type="text" value="{meeting.event_id}"' in page,
        "（结果：签约）" in page,
    ) == (True, True, True)


def test_the_api_creates_with_decimal_strings_and_refuses_duplicates(
    client: TestClient, login_as: Any, form: Any, csrf: Any, services: Any
) -> None:
    login_as("bureau")
    headers = {"x-csrf-token": csrf()}
    created = client.post("/api/v1/contracts", json=form(), headers=headers)
    before = counts(services)
    again = client.post("/api/v1/contracts", json={**form(), "buyer_credit_code": _code(1)}, headers=headers)
    assert (
        created.status_code,
        created.json()["amount_yuan"],
        created.json()["understood"]["amount_yuan"],
        again.status_code,
        again.json()["errors"][0]["field"],
        counts(services),
    ) == (201, "1235000.00", "123.5万 → 1,235,000.00 元", 422, "registration_number", before)


def test_the_api_updates_voids_and_breaks_down(
    client: TestClient, login_as: Any, form: Any, csrf: Any
) -> None:
    login_as("bureau")
    headers = {"x-csrf-token": csrf()}
    client.post("/api/v1/contracts", json=form(), headers=headers)
    updated = client.put("/api/v1/contracts/1", json={"amount_yuan": "2000000"}, headers=headers).json()
    by_institution = client.get("/api/v1/stats/breakdown?by=institution").json()["items"]
    voided = client.post("/api/v1/contracts/1/void", json={"reason": "撤销登记"}, headers=headers).json()
    bad = client.get("/api/v1/stats/breakdown?by=colour")
    assert (
        updated["changed"],
        updated["amount_yuan"],
        by_institution[0]["label"],
        by_institution[0]["amount_yuan"],
        voided["voided"],
        bad.status_code,
    ) == (["amount_yuan"], "2000000.00", "南京航空航天大学天目湖校区", "2000000.00", True, 422)


def test_indicator_values_are_entered_on_the_indicator_page(
    client: TestClient, login_as: Any, csrf: Any
) -> None:
    login_as("bureau")
    plans = client.get("/api/v1/stats/indicators").json()["plans"]
    indicator_id = client.get("/indicators").text.split('name="indicator_id" value="', 1)[1].split('"', 1)[0]
    bad = client.post(
        "/indicators",
        data={"indicator_id": indicator_id, "year": "2023", "value": "0.1+0.2", "csrf_token": csrf()},
    )
    client.post(
        "/indicators",
        data={"indicator_id": indicator_id, "year": "2023", "value": "2900", "csrf_token": csrf()},
    )
    after = client.get("/api/v1/stats/indicators").json()["plans"][0]["indicators"][0]
    assert (len(plans[0]["indicators"]), bad.status_code, after["actual"], after["percent"]) == (
        20,
        422,
        "2900",
        "93.54",
    )
