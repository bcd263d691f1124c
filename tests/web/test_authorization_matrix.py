"""The authorization matrix, generated from the route table: every write route × every role × own and another's
record. A write route missing from ``RULES`` fails the test, so a new route is covered the day it is added.

Denied (a role not allowed, or a researcher/company acting on another institution's offer or another company's
need): anonymous gets the login redirect (401 from the API); a signed-in role gets 403, or 404 where the record is
not theirs to see, or 422 where the API refuses the empty body before looking at who asks — never a success, and
the database is unchanged after every denied request. Allowed: anything but 401/403 and never a 5xx (the empty
form is refused field by field, or the record is changed).

One app and one database for the module, one signed-in client per role, all cases in one pass that collects every
wrong answer: fast enough for CI.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.endpoints import HTTPEndpoint
from starlette.routing import Route
from starlette.testclient import TestClient

from matchmaker.bootstrap import build
from matchmaker.services.seeding import seed_demo
from matchmaker.settings import Settings
from tests.conftest import PASSWORD, Factory

SEU, NUAA = "东南大学溧阳研究院", "南京航空航天大学天目湖校区"
ROLES = ("anonymous", "researcher", "sme", "organizer", "bureau", "admin")
SIGNED_IN = ROLES[1:]
#: Route → roles allowed to write (admins pass every role check) and what the record in the path is owned by
#: ("offer": an institution, "need": a company), so the "other" case must be refused. "party": allowed or refused
#: by who takes part in the record (a meeting, a request, an upload token); only the signed-out and
#: never-a-success parts of the matrix apply, their own modules' tests check the parties.
RULES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "/login": (ROLES, None),
    "/logout": (SIGNED_IN, None),
    "/account": (SIGNED_IN, None),
    "/account/password": (SIGNED_IN, None),
    "/my/events": (SIGNED_IN, "party"),
    "/admin/users/new": (("admin",), None),
    "/admin/users/{user_id:int}": (("admin",), None),
    "/admin/users/{user_id:int}/sign-out": (("admin",), None),
    "/admin/institutions": (("admin",), None),
    "/jobs/reindex": (("admin",), None),
    "/jobs/{job_id:int}/retry": (("admin",), None),
    "/company": (("sme",), None),
    "/needs/new": (("sme",), None),
    "/needs/{need_id:int}/edit": (("sme",), "need"),
    "/needs/{need_id:int}/status": (("sme",), "need"),
    "/api/v1/needs": (("sme",), None),
    "/api/v1/needs/{need_id:int}": (("sme",), "need"),
    "/api/v1/needs/{need_id:int}/status": (("sme",), "need"),
    "/api/v1/companies": (("sme",), None),
    "/offers/new": (("researcher",), None),
    "/offers/{offer_id:int}/edit": (("researcher",), "offer"),
    "/offers/{offer_id:int}/status": (("researcher",), "offer"),
    "/offers/{offer_id:int}/licence": (("researcher",), "offer"),
    "/offers/{offer_id:int}/licence/withdraw": (("researcher",), "offer"),
    "/offers/{offer_id:int}/licence/take": (("sme",), None),
    "/api/v1/offers": (("researcher",), None),
    "/api/v1/offers/{offer_id:int}": (("researcher",), "offer"),
    "/api/v1/offers/{offer_id:int}/status": (("researcher",), "offer"),
    "/offers/{offer_id:int}/request": (("sme",), None),
    "/import/offers": (("researcher",), None),
    "/import/offers/{token:str}": (("researcher",), "party"),
    "/import/offers/{token:str}/discard": (("researcher",), "party"),
    "/import/offers/{token:str}/map": (("researcher",), "party"),
    "/import/needs": (("bureau",), None),
    "/import/needs/{token:str}/map": (("bureau",), "party"),
    "/import/needs/{token:str}/commit": (("bureau",), "party"),
    "/import/companies": (("bureau",), None),
    "/import/companies/{token:str}/map": (("bureau",), "party"),
    "/import/companies/{token:str}/commit": (("bureau",), "party"),
    "/requests/{request_id:int}/answer": (("researcher",), "party"),
    "/requests/{request_id:int}/propose": (("researcher", "sme"), "party"),
    "/requests/{request_id:int}/confirm": (("researcher", "sme"), "party"),
    "/requests/{request_id:int}/outcome": (("researcher", "sme", "organizer"), "party"),
    "/requests/{request_id:int}/to-event": (("organizer",), None),
    "/contracts/new": (("bureau",), None),
    "/contracts/import": (("bureau",), None),
    "/contracts/import/{token:str}": (("bureau",), "party"),
    "/contracts/import/{token:str}/discard": (("bureau",), "party"),
    "/contracts/import/{token:str}/map": (("bureau",), "party"),
    "/contracts/{contract_id:int}/edit": (("bureau",), None),
    "/contracts/{contract_id:int}/void": (("bureau",), None),
    "/api/v1/contracts": (("bureau",), None),
    "/api/v1/contracts/{contract_id:int}": (("bureau",), None),
    "/api/v1/contracts/{contract_id:int}/void": (("bureau",), None),
    "/indicators": (("bureau",), None),
    "/bulletins/issue": (("bureau",), None),
    "/pledges/new": (("bureau",), None),
    "/pledges/import": (("bureau",), None),
    "/pledges/import/{token:str}": (("bureau",), "party"),
    "/pledges/{pledge_id:int}/change": (("bureau",), None),
    "/pledges/{pledge_id:int}/cancel": (("bureau",), None),
    "/api/v1/pledges": (("bureau",), None),
    "/api/v1/pledges/{pledge_id:int}": (("bureau",), None),
    "/api/v1/pledges/{pledge_id:int}/cancel": (("bureau",), None),
    "/events/new": (("organizer",), None),
    "/events/{event_id:int}/edit": (("organizer",), None),
    "/events/{event_id:int}/status": (("organizer",), None),
    "/events/{event_id:int}/pairs": (("organizer",), None),
    "/events/{event_id:int}/bank-pairs": (("organizer",), None),
    "/events/{event_id:int}/proposals": (("organizer",), None),
    "/events/{event_id:int}/solve": (("organizer",), None),
    "/events/{event_id:int}/publish": (("organizer",), None),
    "/events/{event_id:int}/outcomes": (("organizer",), None),
    "/events/{event_id:int}/participants/{pid:int}": (("organizer",), "party"),
    "/events/{event_id:int}/meetings/{mid:int}": (("organizer",), "party"),
    "/api/v1/events": (("organizer",), None),
    "/api/v1/events/{event_id:int}": (("organizer",), None),
    "/api/v1/events/{event_id:int}/pairs": (("organizer",), None),
    "/api/v1/events/{event_id:int}/schedule": (("organizer",), None),
    "/api/v1/events/{event_id:int}/publish": (("organizer",), None),
    "/api/v1/events/{event_id:int}/meetings/{mid:int}": (("organizer",), "party"),
    "/matches/judge": (("organizer",), None),
    "/api/v1/judgements": (("organizer",), None),
}
#: Form fields a route reads before it can check who asks (the record it acts on), so the check is reached.
BODIES: dict[str, dict[str, str]] = {
    "/matches/judge": {"need_id": "{need_id}", "offer_id": "{offer_id}", "label": "好匹配"}
}
#: Tables a denied request may still write: its own session, the login throttle, the audit trail of refusals.
UNWATCHED = {"user_session", "login_failure", "audit_log", "alembic_version"}


def write_routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) that writes, read from the app's route table."""
    found = []
    for route in app.routes:
        if not isinstance(route, Route):
            continue
        if isinstance(route.endpoint, type) and issubclass(route.endpoint, HTTPEndpoint):
            methods = {m.upper() for m in ("post", "put", "patch", "delete") if hasattr(route.endpoint, m)}
        else:
            methods = set(route.methods or ()) - {"GET", "HEAD"}
        found.extend((method, route.path) for method in sorted(methods))
    return found


def _expected(role: str, path: str, case: str) -> str:
    allowed, owned = RULES[path]
    if role == "anonymous" and "anonymous" not in allowed:
        return "login"
    if owned == "party" and role in allowed:
        return "either"
    if role not in allowed and role != "admin":
        return "denied"
    if owned and case == "other" and role != "admin":
        return "denied"
    return "allowed"


def _seen(response: Any, path: str) -> str:
    status = response.status_code
    if status == 401 or (status == 303 and response.headers.get("location", "").startswith("/login")):
        return "login"
    if status == 403 or (status == 404 and "{" in path) or (status == 422 and path.startswith("/api/")):
        return "denied"
    return "allowed"


def _fingerprint(db: Path) -> str:
    """A digest of every watched table's rows, read beside the app's own connections."""
    digest = hashlib.blake2b()
    with sqlite3.connect(db) as con:
        tables = [
            r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        for table in tables:
            if table in UNWATCHED or table.startswith("sqlite_"):
                continue
            digest.update(table.encode())
            for row in con.execute(f'SELECT * FROM "{table}"'):
                digest.update(repr(row).encode())
    con.close()
    return digest.hexdigest()


def _sign_in(client: TestClient, username: str) -> str:
    """Log in through the real form; the session's CSRF token."""
    token = client.get("/login").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]
    return client.get("/account").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, _template_db: Path) -> Iterator[dict[str, Any]]:
    """One app on one demo database; each role signed in once; an own and another's offer and need."""
    from sqlmodel import select

    from matchmaker.storage.models import Contract, Event
    from matchmaker.web.app import create_app

    var_dir = tmp_path_factory.mktemp("matrix") / "var"
    var_dir.mkdir()
    db = var_dir / "matchmaker.db"
    shutil.copy(_template_db, db)
    settings = Settings(
        database_url=f"sqlite:///{db}",
        secret_key="test-secret",
        var_dir=var_dir,
        embedder="hashing",
        jobs_inline=True,
    )
    services = build(settings)
    with services.session() as s:
        seed_demo(s, settings.seed_dir)
        s.commit()
        event_id = s.exec(select(Event.id)).first()
        contract_id = s.exec(select(Contract.id)).first()
    make = Factory(services)
    own_company, other_company = make.company(), make.company()
    users = {
        "researcher": make.user("researcher", institution=SEU),
        "sme": make.user("sme", company=own_company),
        "organizer": make.user("organizer"),
        "bureau": make.user("bureau"),
        "admin": make.user("admin"),
    }
    victim = make.user("sme", company=other_company)
    common = {"event_id": event_id, "contract_id": contract_id, "user_id": victim.id, "job_id": 1}
    common |= {"request_id": 1, "pledge_id": 1, "pid": 1, "mid": 1}
    app = create_app(services)
    clients: dict[str, tuple[TestClient, str]] = {}
    for role in ROLES:
        client = TestClient(app, raise_server_exceptions=False).__enter__()
        if role == "anonymous":
            token = client.get("/login").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        else:
            token = _sign_in(client, users[role].username)
        clients[role] = (client, token)
    yield {
        "app": app,
        "db": db,
        "clients": clients,
        "ids": {
            "own": common
            | {"offer_id": make.offer(SEU, status="草稿").id, "need_id": make.need(own_company).id},
            "other": common
            | {"offer_id": make.offer(NUAA, status="草稿").id, "need_id": make.need(other_company).id},
        },
    }
    for client, _ in clients.values():
        client.__exit__(None, None, None)
    services.engine.dispose()


def test_every_write_route_has_a_rule(world: dict[str, Any]) -> None:
    paths = {path for _, path in write_routes(world["app"])}
    assert (sorted(paths - set(RULES)), sorted(set(RULES) - paths)) == ([], [])


def _send(world: dict[str, Any], role: str, method: str, path: str, case: str) -> Any:
    client, token = world["clients"][role]
    url = re.sub(r"{(\w+):int}", lambda m: str(world["ids"][case][m[1]]), path)
    url = url.replace("{token:str}", "0123456789abcdef")
    fields = {name: value.format(**world["ids"][case]) for name, value in BODIES.get(path, {}).items()}
    body = {"json": {}} if url.startswith("/api/") else {"data": {"csrf_token": token, **fields}}
    return client.request(method, url, headers={"X-CSRF-Token": token}, follow_redirects=False, **body)


def _cases(world: dict[str, Any]) -> Iterator[tuple[str, str, str, str, str]]:
    for method, path in write_routes(world["app"]):
        if path not in RULES or path in ("/logout", "/login"):
            continue
        for case in ("own", "other") if RULES[path][1] in ("offer", "need") else ("own",):
            for role in ROLES:
                yield role, method, path, case, _expected(role, path, case)


def test_the_authorization_matrix(world: dict[str, Any]) -> None:
    """Denied cases first (each must leave the database as it was), then the allowed ones."""
    wrong: dict[str, tuple[int, str]] = {}
    cases = list(_cases(world))
    before = _fingerprint(world["db"])
    for role, method, path, case, expected in cases:
        if expected not in ("login", "denied"):
            continue
        response = _send(world, role, method, path, case)
        key = f"{role} {method} {path} ({case})"
        if _seen(response, path) != expected:
            wrong[key] = (response.status_code, expected)
        after = _fingerprint(world["db"])
        if after != before:
            wrong[key] = (response.status_code, "database changed")
            before = after
    for role, method, path, case, expected in cases:
        if expected in ("login", "denied"):
            continue
        response = _send(world, role, method, path, case)
        status = response.status_code
        refused = status in (401, 403) or _seen(response, path) == "login"
        if status >= 500 or (expected == "allowed" and refused) or _seen(response, path) == "login":
            wrong[f"{role} {method} {path} ({case})"] = (response.status_code, expected)
    assert wrong == {}, "\n".join(f"{k}: {v}" for k, v in sorted(wrong.items()))
