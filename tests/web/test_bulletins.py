"""The periodic bulletin: equal to the dashboard for its period to the fen, frozen when issued, .docx and charts."""

from __future__ import annotations

import io
from typing import Any

from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from matchmaker.domain.identifiers import credit_code_check_char, org_code_check_char
from matchmaker.storage.models import Bulletin


def _code(n: int) -> str:
    org8 = f"{75000000 + n:08d}"
    first17 = "91320481" + org8 + org_code_check_char(org8)
    return first17 + credit_code_check_char(first17)


def _contract(number: str, amount: str, day: str) -> dict[str, str]:
    return {
        "registration_number": number, "title": "储能系统热管理技术开发", "contract_type": "技术开发",
        "seller": "东南大学溧阳研究院", "buyer": "溧阳通报测试有限公司", "buyer_credit_code": _code(1),
        "amount_yuan": amount, "signed_on": day, "registered_on": day, "town": "溧城街道",
    }  # fmt: skip


def _pledge(number: str, amount: str, day: str) -> dict[str, str]:
    return {
        "registration_number": number, "pledgor": "溧阳通报测试有限公司", "pledgor_credit_code": _code(1),
        "pledgee": "江苏银行溧阳支行", "patents": "201710601862.3", "amount_yuan": amount, "registered_on": day,
    }  # fmt: skip


def _between(text: str, start: str) -> str:
    return text.split(start, 1)[1].split("<", 1)[0]


def test_a_quarterly_bulletin_equals_the_dashboard_and_stays_frozen(
    client: TestClient, login_as: Any, csrf: Any, make: Any, services: Any
) -> None:
    make.company(name="溧阳通报测试有限公司", credit_code=_code(1))
    login_as("bureau")
    for number, amount, day in (("2025320481000001", "1000000.01", "2025-07-15"), ("2025320481000002", "0.99", "2025-09-30"),
                                ("2025320481000003", "7777", "2025-10-01")):  # fmt: skip
        assert (
            client.post(
                "/contracts/new", data={**_contract(number, amount, day), "csrf_token": csrf()}
            ).status_code
            == 200
        )
    client.post(
        "/pledges/new", data={**_pledge("Y2025320000001", "300万", "2025-08-01"), "csrf_token": csrf()}
    )

    preview = client.get("/bulletins/preview?period=2025-Q3").text
    assert _between(preview, 'data-testid="bulletin-turnover">') == "1,000,001.00 元"
    issued = client.post("/bulletins/issue", data={"period": "2025-Q3", "csrf_token": csrf()})
    assert "已发布《溧阳市知识产权指标季报（2025年第三季度）》，数字已冻结" in issued.text
    board = client.get("/stats?period=2025-Q3").text
    assert _between(board, 'data-testid="filtered-yuan">') == "1,000,001.00"
    assert _between(board, 'data-testid="pledge-yuan">') == "3,000,000.00"
    assert _between(issued.text, 'data-testid="bulletin-pledges">') == "3,000,000.00 元"

    client.post(
        "/contracts/new", data={**_contract("2025320481000004", "5", "2025-08-08"), "csrf_token": csrf()}
    )
    page = client.get("/bulletins/1").text
    assert _between(page, 'data-testid="bulletin-turnover">') == "1,000,001.00 元"
    assert (
        _between(client.get("/stats?period=2025-Q3").text, 'data-testid="filtered-yuan">') == "1,000,006.00"
    )

    from docx import Document

    document = Document(io.BytesIO(client.get("/bulletins/1/bulletin.docx").content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "合同成交额 1,000,001.00 元" in text and len(document.inline_shapes) == 3
    chart = client.get("/bulletins/1/charts/pledges_bank.png")
    assert (chart.headers["content-type"], chart.content[:8]) == ("image/png", b"\x89PNG\r\n\x1a\n")

    again = client.post("/bulletins/issue", data={"period": "2025-Q3", "csrf_token": csrf()})
    assert "2025年第三季度的通报已于" in again.text
    with Session(services.engine) as s:
        assert s.exec(select(func.count()).select_from(Bulletin)).one() == 1


def test_a_period_without_data_is_refused_and_nothing_is_written(
    client: TestClient, login_as: Any, csrf: Any, services: Any
) -> None:
    login_as("bureau")
    page = client.get("/bulletins/preview?period=2019-Q1")
    assert page.status_code == 422
    assert (
        "2019年第一季度（2019-01-01 至 2019-03-31）没有登记的技术合同、质押登记、对接会或开放许可，无法生成通报"
        in page.text
    )
    client.post("/bulletins/issue", data={"period": "2019-Q1", "csrf_token": csrf()})
    bad = client.get("/bulletins/preview?period=2025-13")
    assert "月份「13」应在 1–12 之间" in bad.text
    with Session(services.engine) as s:
        assert s.exec(select(func.count()).select_from(Bulletin)).one() == 0


def test_organizers_read_bulletins_but_only_the_bureau_issues(
    client: TestClient, login_as: Any, csrf: Any
) -> None:
    login_as("organizer")
    assert client.get("/bulletins").status_code == 200
    assert client.post("/bulletins/issue", data={"period": "2025", "csrf_token": csrf()}).status_code == 403
