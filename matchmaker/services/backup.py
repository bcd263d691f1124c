"""Backups of the whole database: SQLite through its online-backup API (safe while the app serves), PostgreSQL
through pg_dump (custom format, restorable with pg_restore)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from matchmaker.domain.errors import MatchmakerError


def backup(database_url: str, out_dir: Path, *, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    out_dir.mkdir(parents=True, exist_ok=True)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        source = Path(url.database or "")
        if not source.exists():
            raise MatchmakerError(f"数据库文件不存在：{source}")
        target = out_dir / f"matchmaker-{stamp}.db"
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return target
    if url.get_backend_name() == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise MatchmakerError("未找到 pg_dump：请安装 PostgreSQL 客户端（postgresql-client）后重试")
        target = out_dir / f"matchmaker-{stamp}.pgdump"
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        result = subprocess.run(
            [pg_dump, "--format=custom", f"--file={target}", plain],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise MatchmakerError(f"pg_dump 失败：{result.stderr.strip()[:300]}")
        return target
    raise MatchmakerError(f"不支持备份此类数据库：{url.get_backend_name()}")
