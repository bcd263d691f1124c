"""matchmaker restore: a backup restores to the same data (row counts of every table, turnover to the fen) on
SQLite and PostgreSQL; the data it replaced is kept as a backup; files are private to their owner."""

from __future__ import annotations

import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from matchmaker.domain.errors import MatchmakerError
from matchmaker.services.backup import backup, restore
from matchmaker.services.seeding import seed_demo, seed_reference
from matchmaker.settings import PROJECT_ROOT
from matchmaker.storage.db import make_engine
from matchmaker.storage.migrate import upgrade

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own (not a schema: a restore replaces the whole database), migrated and seeded."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'live.db'}"
        _prepare(url)
        yield url
        return
    name = f"mm_restore_{uuid.uuid4().hex[:10]}"
    admin = make_engine(f"{POSTGRES_SERVER}/test").execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{POSTGRES_SERVER}/{name}"
    try:
        _prepare(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _prepare(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as s:
        seed_reference(s, PROJECT_ROOT / "seed")
        seed_demo(s, PROJECT_ROOT / "seed")
        s.commit()
    engine.dispose()


def _state(url: str) -> tuple[dict[str, int], int]:
    """Rows per table and the turnover in fen."""
    engine: Engine = make_engine(url)
    with engine.connect() as conn:
        counts = {
            t.name: conn.execute(text(f'SELECT count(*) FROM "{t.name}"')).scalar_one()
            for t in SQLModel.metadata.sorted_tables
        }
        turnover = conn.execute(
            text("SELECT coalesce(sum(amount_fen), 0) FROM contract WHERE NOT voided")
        ).scalar_one()
    engine.dispose()
    return counts, int(turnover)


def _change_everything(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE contract SET amount_fen = amount_fen + 1"))
        conn.execute(text("DELETE FROM audit_log"))
        conn.execute(
            text("INSERT INTO login_failure (username, client, at) VALUES ('x', 'y', CURRENT_TIMESTAMP)")
        )
    engine.dispose()


def test_a_backup_restores_to_the_same_rows_and_turnover_and_keeps_what_it_replaced(
    database_url: str, tmp_path: Path
) -> None:
    before = _state(database_url)
    saved = backup(database_url, tmp_path / "backups")
    _change_everything(database_url)
    changed = _state(database_url)

    safety = restore(database_url, saved, tmp_path / "backups")
    restored = _state(database_url)
    restore(database_url, safety, tmp_path / "backups")

    assert before[1] > 0 and sum(before[0].values()) > 100
    assert (changed != before, restored == before, _state(database_url) == changed) == (True, True, True)


def test_backups_and_their_folder_are_private_to_the_owner(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'small.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x integer)"))
    engine.dispose()
    saved = backup(url, tmp_path / "backups")
    assert (stat.S_IMODE(saved.stat().st_mode), stat.S_IMODE(saved.parent.stat().st_mode)) == (0o600, 0o700)


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(
    database_url: str, tmp_path: Path
) -> None:
    before = _state(database_url)
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"hello, not a database")
    with pytest.raises(MatchmakerError, match="备份文件"):
        restore(database_url, junk, tmp_path / "backups")
    assert _state(database_url) == before


def test_the_sqlite_database_file_is_private_to_the_owner(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'm.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x integer)"))
    engine.dispose()
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "var").iterdir()}
    assert (modes["m.db"], stat.S_IMODE((tmp_path / "var").stat().st_mode)) == (0o600, 0o700)
