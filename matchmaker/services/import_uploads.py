"""Uploaded files waiting in a preview: kept under ``var/imports/<kind>/`` by a random id, for their uploader.

The file itself is kept beside its preview because the mapping step and 确认导入 read it again (with the
person's column mapping and value answers), so what is committed is checked against the database as it is
then. Old uploads are swept on every save. The web pages and a job wrapper share this one store.
"""

from __future__ import annotations

import pickle
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matchmaker.domain.errors import NotFound, PermissionDenied
from matchmaker.importing.kinds import KINDS
from matchmaker.services.import_profiles import Decisions
from matchmaker.services.permissions import Actor

MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class Upload:
    """One uploaded file, its latest preview and the decisions it was previewed with."""

    user_id: int | None
    kind: str
    filename: str
    data: bytes
    report: Any
    decisions: Decisions


def _folder(var_dir: Path, kind: str) -> Path:
    if kind not in KINDS:
        raise NotFound("没有这种导入")
    folder = var_dir / "imports" / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(
    var_dir: Path,
    actor: Actor,
    upload_kind: str,
    filename: str,
    data: bytes,
    report: Any,
    decisions: Decisions | None = None,
) -> str:
    """Keep the upload; returns the random id the page carries."""
    folder = _folder(var_dir, upload_kind)
    cutoff = time.time() - MAX_AGE_SECONDS
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    upload = Upload(actor.id, upload_kind, filename, data, report, decisions or Decisions())
    # pickle is safe here: written by this process under var/, read back only by it, by a checked random id.
    (folder / f"{token}.upload").write_bytes(pickle.dumps(upload))
    return token


def load(var_dir: Path, actor: Actor, upload_kind: str, token: str) -> Upload:
    path = _folder(var_dir, upload_kind) / f"{token}.upload"
    if not _TOKEN.match(token) or not path.exists() or path.stat().st_mtime < time.time() - MAX_AGE_SECONDS:
        raise NotFound("导入预览已过期或不存在，请重新上传文件")
    upload: Upload = pickle.loads(path.read_bytes())
    if upload.user_id != actor.id:
        raise PermissionDenied("这份导入预览不是您上传的")
    return upload


def discard(var_dir: Path, upload_kind: str, token: str) -> None:
    if _TOKEN.match(token):
        (_folder(var_dir, upload_kind) / f"{token}.upload").unlink(missing_ok=True)


def kind_fields(kind: str) -> list[dict[str, Any]]:
    """The fields of an import kind for the mapping step: name, label, required."""
    spec = KINDS[kind]
    alternatives = {name for group in spec.alternatives for name in group}
    return [
        {"name": f.name, "label": f.label, "required": f.required and f.name not in alternatives}
        for f in spec.fields
    ]


def kind_label(kind: str) -> str:
    return KINDS[kind].label


def error_rows(report: Any) -> tuple[list[str], list[list[Any]]]:
    """The rows with errors as the file had them, plus 错误原因: what the office fixes and uploads again."""
    columns = list(report.columns)
    out: list[list[Any]] = []
    for result in report.results:
        if result.status != "error":
            continue
        source = result.source
        cells = [source[c.index] if c.index < len(source) else None for c in columns]
        out.append([result.row, *cells, "；".join(e.message for e in result.errors)])
    return ["原行号", *(c.header for c in columns), "错误原因"], out
