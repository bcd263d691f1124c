"""X-Forwarded-For is believed only from configured proxies, so nobody can pick the address their failed
logins are counted against."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from matchmaker.bootstrap import build
from matchmaker.storage.models import LoginFailure
from matchmaker.web.app import create_app


def _recorded_client(settings: Any, trusted: tuple[str, ...], forwarded: str) -> str:
    services = build(dataclasses.replace(settings, trusted_proxies=trusted))
    with TestClient(create_app(services)) as client:  # the test client connects from "testclient"
        token = client.get("/login").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        client.post(
            "/login",
            data={"username": "nobody_x", "password": "wrong-pass-1", "csrf_token": token},
            headers={"X-Forwarded-For": forwarded},
        )
    with services.session() as s:
        recorded = s.exec(select(LoginFailure.client)).one()
    services.engine.dispose()
    return recorded


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        ((), "192.0.2.1", "testclient"),
        (("10.0.0.0/8",), "192.0.2.1", "testclient"),
        (("testclient",), "192.0.2.1", "192.0.2.1"),
        (("testclient", "10.0.0.0/8"), "6.6.6.6, 192.0.2.1, 10.1.2.3", "192.0.2.1"),
    ],
)
def test_forwarded_addresses_count_only_from_trusted_proxies(
    settings: Any, trusted: tuple[str, ...], forwarded: str, expected: str
) -> None:
    assert _recorded_client(settings, trusted, forwarded) == expected
