"""The one rule of matchmaker.web: handlers are plain functions, so slow work never stalls other users.

The behavioural test holds a page's service call open (as a 100,000-row parse or an embedding would) and checks
that ``/healthz`` is answered meanwhile; with a handler that blocks the event loop, the health check could only
be answered after the slow page, which the test reports (it never waits on a clock threshold to pass)."""

from __future__ import annotations

import inspect
import threading
from typing import Any

from starlette.routing import Route

from matchmaker.services import offers
from matchmaker.web.errors import EXCEPTION_HANDLERS


def _handlers(app: Any) -> list[tuple[str, Any]]:
    found = []
    for route in app.routes:
        if not isinstance(route, Route):
            continue
        endpoint = route.endpoint
        if inspect.isclass(endpoint):  # HTTPEndpoint: one method per verb
            found += [(f"{route.path} {m}", getattr(endpoint, m.lower())) for m in route.methods or ()
                      if hasattr(endpoint, m.lower())]  # fmt: skip
        else:
            found.append((route.path, endpoint))
    return found


def test_every_endpoint_and_error_handler_is_a_plain_function(app) -> None:
    handlers = _handlers(app)
    assert len(handlers) > 50
    coroutines = [name for name, fn in handlers if inspect.iscoroutinefunction(fn)]
    coroutines += [str(exc) for exc, fn in EXCEPTION_HANDLERS.items() if inspect.iscoroutinefunction(fn)]
    assert coroutines == []


def test_health_check_is_answered_while_a_slow_page_is_still_working(client, login_as, monkeypatch) -> None:
    """``client`` serves every request through one event loop, as uvicorn does."""
    entered, release = threading.Event(), threading.Event()
    real_list = offers.list_offers

    def slow_list(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        release.wait(60)
        return real_list(*args, **kwargs)

    monkeypatch.setattr(offers, "list_offers", slow_list)
    login_as("researcher")
    order: list[str] = []
    results: dict[str, int] = {}

    def slow() -> None:
        results["slow"] = client.get("/offers").status_code
        order.append("slow")

    def health() -> None:
        results["health"] = client.get("/healthz").status_code
        order.append("health")

    slow_thread = threading.Thread(target=slow)
    slow_thread.start()
    try:
        assert entered.wait(60), "the slow page never reached its service call"
        health_thread = threading.Thread(target=health)
        health_thread.start()
        health_thread.join(60)
        order.append("checked")
    finally:
        release.set()
    slow_thread.join(60)
    health_thread.join(60)
    assert order == ["health", "checked", "slow"]
    assert results == {"slow": 200, "health": 200}


def test_a_json_body_over_the_cap_is_refused_with_413_and_writes_nothing(
    client, login_as, csrf, services
) -> None:
    from sqlmodel import func, select

    from matchmaker.storage.models import Offer

    login_as("researcher")
    limit = services.settings.max_json_bytes
    body = '{"title": "' + "长" * limit + '"}'
    r = client.post(
        "/api/v1/offers",
        content=body.encode(),
        headers={"X-CSRF-Token": csrf(), "content-type": "application/json"},
    )
    assert r.status_code == 413
    assert "请求体过大" in r.json()["errors"][0]["message"]
    with services.session() as s:
        assert s.exec(select(func.count()).select_from(Offer)).one() == 0
    # The same endpoint still parses a small body (its own 4xx field errors, not a 413).
    r = client.post("/api/v1/offers", json={"title": ""}, headers={"X-CSRF-Token": csrf()})
    assert r.status_code == 422
