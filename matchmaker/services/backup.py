"""Backups of the whole database and their restore: SQLite through its online-backup API (safe while the app
serves), PostgreSQL through pg_dump / pg_restore (custom format). Backup files and their folder are readable by
their owner only: they hold every account's hash and every company's private contacts."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from matchmaker.domain.errors import MatchmakerError

#: Name of the automatic backup taken just before a restore.
SAFETY_PREFIX = "before-restore"


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)


def backup(
    database_url: str, out_dir: Path, *, now: datetime | None = None, prefix: str = "matchmaker"
) -> Path:
    target = _backup(database_url, out_dir, now=now, prefix=prefix)
    target.chmod(0o600)
    return target


def _unused(folder: Path, stem: str, suffix: str) -> Path:
    """A new file name: two backups within one second (a restore's safety copy) never overwrite each other."""
    target, n = folder / f"{stem}{suffix}", 1
    while target.exists():
        target, n = folder / f"{stem}-{n}{suffix}", n + 1
    return target


def _backup(database_url: str, out_dir: Path, *, now: datetime | None, prefix: str) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    _private_dir(out_dir)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        source = Path(url.database or "")
        if not source.exists():
            raise MatchmakerError(f"数据库文件不存在：{source}")
        target = _unused(out_dir, f"{prefix}-{stamp}", ".db")
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))  # private from its first byte
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        return target
    if url.get_backend_name() == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise MatchmakerError("未找到 pg_dump：请安装 PostgreSQL 客户端（postgresql-client）后重试")
        target = _unused(out_dir, f"{prefix}-{stamp}", ".pgdump")
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


def restore(database_url: str, source: Path, safety_dir: Path, *, now: datetime | None = None) -> Path:
    """Replace the whole database with the backup ``source`` (made by :func:`backup`). The current database is
    backed up into ``safety_dir`` first and that file is returned, so a wrong restore can be undone. Stop the
    web service first: sessions and caches of the old data would otherwise outlive it."""
    if not source.is_file():
        raise MatchmakerError(f"备份文件不存在：{source}")
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if source.read_bytes()[:16] != b"SQLite format 3\x00":
            raise MatchmakerError(f"{source.name} 不是 SQLite 备份文件（应为 matchmaker backup 生成的 .db）")
        target = Path(url.database or "")
        safety = (
            backup(database_url, safety_dir, now=now, prefix=SAFETY_PREFIX) if target.exists() else source
        )
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        try:
            problems = src.execute("PRAGMA integrity_check").fetchone()[0]
            if problems != "ok":
                raise MatchmakerError(f"备份文件已损坏（{problems[:200]}），未恢复")
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        target.chmod(0o600)
        return safety
    if backend == "postgresql":
        pg_restore = shutil.which("pg_restore")
        if pg_restore is None:
            raise MatchmakerError("未找到 pg_restore：请安装 PostgreSQL 客户端（postgresql-client）后重试")
        if source.read_bytes()[:5] != b"PGDMP":
            raise MatchmakerError(
                f"{source.name} 不是 PostgreSQL 备份文件（应为 matchmaker backup 生成的 .pgdump）"
            )
        safety = backup(database_url, safety_dir, now=now, prefix=SAFETY_PREFIX)
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        result = subprocess.run(
            [pg_restore, "--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-privileges",
             f"--dbname={plain}", str(source)],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise MatchmakerError(f"pg_restore 失败，数据库未改动：{result.stderr.strip()[:300]}")
        return safety
    raise MatchmakerError(f"不支持恢复此类数据库：{backend}")
