"""Backups restore to the same data."""

from __future__ import annotations

import sqlite3
import subprocess
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from matchmaker.domain.errors import MatchmakerError
from matchmaker.services.backup import backup
from matchmaker.storage.db import make_engine

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def test_sqlite_backup_is_a_consistent_copy(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table t (x integer)")
        conn.executemany("insert into t values (?)", [(i,) for i in range(100)])
    target = backup(f"sqlite:///{db}", tmp_path / "backups", now=datetime(2026, 1, 2, 3, 4, 5))
    with sqlite3.connect(target) as conn:
        assert conn.execute("select count(*), sum(x) from t").fetchone() == (100, 4950)
    assert target.name == "matchmaker-20260102-030405.db"


def test_missing_sqlite_file_is_a_plain_message(tmp_path: Path) -> None:
    with pytest.raises(MatchmakerError, match="数据库文件不存在"):
        backup(f"sqlite:///{tmp_path / 'none.db'}", tmp_path)


def test_postgres_backup_is_restorable_with_pg_restore(tmp_path: Path) -> None:
    name = f"mm_backup_{uuid.uuid4().hex[:8]}"
    engine = make_engine(POSTGRES)
    with engine.begin() as conn:
        conn.execute(text(f"create table {name} (x integer)"))
        conn.execute(text(f"insert into {name} select generate_series(1, 10)"))
    try:
        target = backup(POSTGRES, tmp_path)
        listing = subprocess.run(
            ["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True
        )
        assert f"TABLE public {name}" in listing.stdout
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"drop table {name}"))
        engine.dispose()
