"""Shared fixtures.

- ``db_engine`` / ``session``: storage tests run twice, on SQLite and on the real PostgreSQL
  (``MATCHMAKER_TEST_POSTGRES`` or postgresql://postgres@127.0.0.1:5432/test), each in a schema of its own.
- ``services`` / ``client``: a fresh app on its own SQLite file with reference data loaded.
- ``make``: factories for users, companies, offers and needs.

The checkout stands alone: an audit hook refuses to open any file beside it (the shared folder on our own machines), so
a test that depends on something outside the repository fails here rather than on a fresh clone.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from matchmaker.bootstrap import Services, build
from matchmaker.services import accounts
from matchmaker.services.seeding import seed_reference
from matchmaker.settings import PROJECT_ROOT, Settings
from matchmaker.storage.db import make_engine
from matchmaker.storage.migrate import upgrade

CHECKOUT = Path(__file__).resolve().parents[1]
_BESIDE = str(CHECKOUT.parent).rstrip(os.sep) + os.sep
_SHARED = (
    str(CHECKOUT.parent / "shared") + os.sep
)  # where the team's shared folder lies on our machines and CI's
_ALLOWED = tuple(
    str(Path(p).resolve()) + os.sep for p in (CHECKOUT, tempfile.gettempdir(), sys.prefix, sys.base_prefix)
)


def _refuse_reads_beside_checkout(event: str, args: tuple[Any, ...]) -> None:
    """Audit hook: opening a file next to the checkout (not inside it) is an error in the tests.

    The shared folder beside the checkout is always refused, even when the checkout itself lies in the temporary
    directory (as a CI clone may), where everything else beside it counts as a temporary file.
    """
    if event != "open" or not args or not isinstance(args[0], (str, os.PathLike)):
        return
    path = os.path.abspath(os.fspath(args[0]))
    if path.startswith(_SHARED):
        raise PermissionError(f"tests may read only files inside the checkout, not {path}")
    if _BESIDE != os.sep and path.startswith(_BESIDE) and not (path + os.sep).startswith(_ALLOWED):
        raise PermissionError(f"tests may read only files inside the checkout, not {path}")


sys.addaudithook(_refuse_reads_beside_checkout)
from matchmaker.storage.models import Company, Institution, Need, Offer, User

POSTGRES_URL = os.environ.get("MATCHMAKER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "pass-word-1"


def _postgres_engine(schema: str) -> Engine:
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    from sqlmodel import create_engine

    return create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated, empty database of each kind, for the whole test session."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'storage.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    schema = f"mm_test_{uuid.uuid4().hex[:10]}"
    engine = _postgres_engine(schema)
    upgrade(engine)
    yield engine
    engine.dispose()
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test (commits become savepoints)."""
    connection = db_engine.connect()
    outer = connection.begin()
    with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as s:
        yield s
    outer.rollback()
    connection.close()


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file with reference data; each app test copies it (much faster than migrating)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine) as s:
        seed_reference(s, PROJECT_ROOT / "seed")
        s.commit()
    engine.dispose()
    return path


@pytest.fixture
def settings(tmp_path: Path, _template_db: Path) -> Settings:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    db = var_dir / "matchmaker.db"
    shutil.copy(_template_db, db)
    # The hashing embedder: the matcher is built inside the test in milliseconds, offline (never a quality figure).
    return Settings(
        database_url=f"sqlite:///{db}",
        secret_key="test-secret",
        var_dir=var_dir,
        embedder="hashing",
        jobs_inline=True,  # each job runs inside the request that submits it (worker tests start their own)
    )


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    svc = build(settings)
    yield svc
    svc.engine.dispose()


@pytest.fixture
def app(services: Services) -> Any:
    from matchmaker.web.app import create_app

    return create_app(services)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


class Factory:
    """Creates records directly in storage for test set-up (never through the code under test)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def institution(self, name: str = "东南大学溧阳研究院") -> Institution:
        with self.services.session() as s:
            from sqlmodel import select

            inst = s.exec(select(Institution).where(Institution.canonical_name == name)).first()
            assert inst is not None, name
            return inst

    def company(
        self, name: str | None = None, credit_code: str | None = None, town: str = "溧城街道"
    ) -> Company:
        from matchmaker.domain.identifiers import credit_code_check_char, org_code_check_char

        n = self._next()
        if credit_code is None:
            org8 = f"{70000000 + n:08d}"
            first17 = "91320481" + org8 + org_code_check_char(org8)
            credit_code = first17 + credit_code_check_char(first17)
        with self.services.transaction() as s:
            company = Company(
                name=name or f"溧阳测试企业{n}有限公司", credit_code=credit_code, town=town, field="动力电池"
            )
            s.add(company)
        return company

    def user(
        self,
        role: str,
        username: str | None = None,
        *,
        institution: str | None = None,
        company: Company | None = None,
        password: str = PASSWORD,
        active: bool = True,
    ) -> User:
        inst_id = None
        if role == "researcher":
            inst_id = self.institution(institution or "东南大学溧阳研究院").id
        with self.services.transaction() as s:
            user = User(
                username=username or f"{role}{self._next()}",
                display_name=f"测试{role}",
                role=role,
                institution_id=inst_id,
                company_id=company.id if company else None,
                password_hash=accounts.hash_password(password),
                is_active=active,
            )
            s.add(user)
        return user

    def offer(self, institution: str = "东南大学溧阳研究院", **fields: Any) -> Offer:
        from matchmaker.domain.identifiers import patent_check_char

        n = self._next()
        digits = f"20231{n:07d}"
        values: dict[str, Any] = dict(
            title=f"一种测试用锂离子电池隔膜及其制备方法{n}",
            abstract="本发明公开了一种隔膜。",
            application_number=f"{digits}.{patent_check_char(digits)}",
            patent_key=digits,
            patent_type="发明",
            legal_status="有效",
            institution_id=self.institution(institution).id,
            transfer_modes=["转让"],
            price_wan=50,
            trl=6,
            field="动力电池",
            contact="王工 0519-87000000",
            status="发布",
        )
        values.update(fields)
        with self.services.transaction() as s:
            offer = Offer(**values)
            s.add(offer)
        return offer

    def need(self, company: Company, **fields: Any) -> Need:
        values: dict[str, Any] = dict(
            company_id=company.id,
            title=f"电芯搁置后鼓胀问题{self._next()}",
            description="电芯放一周就鼓起来。",
            field="动力电池",
            budget_min_wan=20,
            budget_max_wan=80,
            coop_modes=["转让"],
            contact="李工 13800000000",
            contact_public=False,
            budget_public=False,
            status="开放",
        )
        values.update(fields)
        with self.services.transaction() as s:
            need = Need(**values)
            s.add(need)
        return need


@pytest.fixture
def make(services: Services) -> Factory:
    return Factory(services)


def _login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Log in through the real form (CSRF token included) and fail loudly if it didn't work."""
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]


def _csrf(client: TestClient, path: str = "/") -> str:
    page = client.get(path)
    return page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@pytest.fixture
def csrf(client: TestClient):  # type: ignore[no-untyped-def]
    """``csrf()`` → the CSRF token of the client's session (read from a page, as a browser would)."""
    return lambda path="/": _csrf(client, path)


@pytest.fixture
def login(client: TestClient):  # type: ignore[no-untyped-def]
    """``login(username, password=PASSWORD)`` through the real login form."""
    return lambda username, password=PASSWORD: _login(client, username, password)


@pytest.fixture
def login_as(client: TestClient, make: Factory):  # type: ignore[no-untyped-def]
    """Create a user of ``role`` and log the test client in as them."""

    def log_in(role: str, **kwargs: Any) -> User:
        user = make.user(role, **kwargs)
        _login(client, user.username)
        return user

    return log_in
