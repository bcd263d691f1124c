"""Ids and numbers at the edges: an id beyond what the database holds, in any path, query, form or JSON field,
is a 404 or a field error, never a 500. Generated from the route table, so new routes are covered."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from matchmaker.web.ids import MAX_ID, parse_id, parse_whole

TOO_BIG = [str(MAX_ID + 1), "9" * 25]


def _id_routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if isinstance(route, Route) and any(c == "int" for c in re.findall(r"{\w+:(\w+)}", route.path)):
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                found.append((method, route.path))
    return found


@pytest.mark.parametrize("too_big", TOO_BIG)
def test_every_route_answers_a_too_big_id_with_404_or_a_field_error(
    app: Any, client: TestClient, login_as: Any, csrf: Any, too_big: str
) -> None:
    login_as("admin")
    token = csrf()
    answers = {}
    for method, path in _id_routes(app):
        url = re.sub(r"{\w+:int}", too_big, path)
        url = re.sub(r"{\w+(:\w+)?}", "x", url)
        response = client.request(
            method,
            url,
            headers={"X-CSRF-Token": token},
            follow_redirects=False,
            **({"data": {"csrf_token": token}} if method != "GET" and not url.startswith("/api/") else {}),
            **({"json": {}} if method != "GET" and url.startswith("/api/") else {}),
        )
        answers[f"{method} {path}"] = response.status_code
    assert len(answers) > 40
    assert {k: v for k, v in answers.items() if v not in (404, 422)} == {}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/contracts/new", {"meeting": "9" * 30}),
        ("/contracts", {"year": "²⁰²⁵"}),
        ("/offers", {"page": "²"}),
        ("/needs", {"page": "٣"}),
        ("/search", {"q": "隔膜", "trl_min": "９９９９９９９９９９９９９９９９９９９９"}),
        ("/api/v1/offers", {"page": "9" * 30}),
    ],
)
def test_odd_numbers_in_queries_never_fail(
    client: TestClient, login_as: Any, path: str, params: dict
) -> None:
    login_as("admin")
    assert client.get(path, params=params).status_code in (200, 422)


def test_a_too_big_id_in_a_json_body_is_a_field_error(client: TestClient, login_as: Any, csrf: Any) -> None:
    login_as("organizer")
    event = client.post(
        "/api/v1/events",
        json={"name": "测试对接会", "event_date": "2030-05-20", "venue": "溧阳", "start_time": "14:00",
              "end_time": "17:00", "slot_minutes": 20, "tables": 4},
        headers={"X-CSRF-Token": csrf()},
    )  # fmt: skip
    assert event.status_code == 201, event.text
    response = client.post(
        f"/api/v1/events/{event.json()['id']}/pairs",
        json={"offer_id": MAX_ID + 1, "need_id": 1},
        headers={"X-CSRF-Token": csrf()},
    )
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "offer_id")


def test_the_id_parser_takes_ascii_digits_in_range_only() -> None:
    values = [
        "12",
        " 7 ",
        "0",
        "-3",
        "4 2",
        "²",
        "٣",
        "１２",
        str(MAX_ID),
        str(MAX_ID + 1),
        "1e3",
        True,
        5,
        2.0,
    ]
    assert [parse_id(v) for v in values] == [
        12,
        7,
        None,
        None,
        None,
        None,
        None,
        None,
        MAX_ID,
        None,
        None,
        None,
        5,
        None,
    ]
    assert parse_whole("0") == 0


def test_a_contract_amount_sent_as_a_json_number_keeps_every_fen(
    client: TestClient, login_as: Any, csrf: Any, make: Any
) -> None:
    buyer = make.company(name="溧阳精确金额有限公司")
    login_as("bureau")
    body = (
        '{"registration_number": "2025320481000901", "title": "大额技术开发", "contract_type": "技术开发",'
        ' "seller": "南航天目湖校区", "buyer": "'
        + buyer.name
        + '", "buyer_credit_code": "'
        + buyer.credit_code
        + '",'
        ' "amount_yuan": 999999999999999.99, "signed_on": "2025-02-01", "registered_on": "2025-02-10",'
        ' "field": "电子信息", "town": "溧城街道"}'
    )  # as a float this is 1000000000000000.0: a different amount, then refused as too large
    response = client.post(
        "/api/v1/contracts",
        content=body.encode(),
        headers={"X-CSRF-Token": csrf(), "content-type": "application/json"},
    )
    assert (response.status_code, response.json().get("amount_yuan")) == (201, "999999999999999.99")
