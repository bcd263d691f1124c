"""命令行工具 matchmaker：commands call services, never the database directly.

Known failures (bad input, missing records) end as one Chinese sentence and exit code 1, never a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from matchmaker.domain.errors import MatchmakerError
from matchmaker.domain.vocab import ROLE_LABELS, ROLES
from matchmaker.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


def friendly(fn: F) -> F:
    """Turn domain errors into a plain sentence (the one place the CLI maps exceptions to messages)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MatchmakerError as exc:
            details = "\n".join(
                f"  - {e.field + '：' if e.field else ''}{e.message}" for e in exc.field_errors()
            )
            raise click.ClickException(f"{exc.title}\n{details}") from exc

    return wrapper  # type: ignore[return-value]


def _services(settings: Settings | None = None):  # type: ignore[no-untyped-def]
    from matchmaker.bootstrap import build

    return build(settings or Settings.from_env())


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="matchmaker", message="matchmaker %(version)s")
def main() -> None:
    """matchmaker · 溧阳技术转移对接平台（technology-transfer matchmaking for Liyang）

    \b
    环境变量 / environment:
      DATABASE_URL  数据库（默认 var/matchmaker.db；postgresql://… 切换到 PostgreSQL）
      MEILI_URL     Meilisearch 地址（不设置则用内置检索）
      SECRET_KEY    会话密钥（默认自动生成并保存在 var/）
      MATCHMAKER_HOST / MATCHMAKER_PORT  服务地址与端口（默认 127.0.0.1:8000）
    """


@main.command(context_settings=CONTEXT)
@friendly
def migrate() -> None:
    """应用数据库迁移（Alembic）并载入参考数据。 Apply migrations and load reference data."""
    services = _services()
    _migrate(services)
    click.echo(f"数据库已是最新结构：{_safe_url(services.settings.database_url)}")


def _migrate(services) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.services.seeding import prepare_database

    prepare_database(services.engine, services.settings.seed_dir)


def _safe_url(url: str) -> str:
    """Hide a password in a database URL before printing it."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else url
    return url


@main.command(context_settings=CONTEXT)
@click.option(
    "--demo",
    is_flag=True,
    help="载入虚构的演示数据（单位、企业、账号、成果、需求、对接会、合同）。Load the demo data set.",
)
@friendly
def seed(demo: bool) -> None:
    """载入参考数据；加 --demo 载入演示数据（可重复运行）。 Load reference (and demo) data; idempotent."""
    from matchmaker.services.seeding import DEMO_PROGRESS_STEPS, seed_demo, seed_reference

    services = _services()
    _migrate(services)
    with services.transaction() as session:
        if demo:
            with click.progressbar(length=DEMO_PROGRESS_STEPS, label="载入演示数据", file=sys.stderr) as bar:
                report = seed_demo(session, services.settings.seed_dir, progress=lambda _step: bar.update(1))
        else:
            report = seed_reference(session, services.settings.seed_dir)
    created = "，".join(f"{k} {v}" for k, v in report.created.items()) or "无（数据已存在）"
    click.echo(f"新增：{created}")
    if report.accounts:
        click.echo("\n演示账号（仅用于演示数据）：")
        click.echo(f"  {'用户名':<16}{'角色':<14}密码")
        for username, role, password in report.accounts:
            click.echo(f"  {username:<18}{ROLE_LABELS.get(role, role):<12}{password}")


@main.command("create-user", context_settings=CONTEXT)
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    required=True,
    help="角色：researcher 科研人员 / sme 企业技术人员 / organizer 组织者 / bureau 知识产权局 / admin 管理员",
)
@click.option("--name", "display_name", default="", help="姓名（默认同用户名）")
@click.option("--email", default="", help="邮箱")
@click.option("--institution", default="", help="科研人员所属单位（任意常见写法，自动规范化）")
@click.option("--company-code", default="", help="企业技术人员所属企业的统一社会信用代码")
@click.option(
    "--password",
    prompt="密码",
    hide_input=True,
    confirmation_prompt="再次输入密码",
    help="密码（不提供则交互输入）",
)
@friendly
def create_user(
    username: str,
    role: str,
    display_name: str,
    email: str,
    institution: str,
    company_code: str,
    password: str,
) -> None:
    """创建账号。 Create an account, e.g. matchmaker create-user admin2 --role admin"""
    from matchmaker.services import accounts
    from matchmaker.services.permissions import Actor

    services = _services()
    _migrate(services)
    with services.transaction() as session:
        institution_id, company_id = accounts.binding_by_names(
            session, institution=institution, company_code=company_code
        )
        user = accounts.create_user(
            session,
            Actor.system(),
            username=username,
            display_name=display_name or username,
            email=email,
            role=role,
            password=password,
            institution_id=institution_id,
            company_id=company_id,
        )
    click.echo(f"已创建账号 {user.username}（{ROLE_LABELS[role]}）")


@main.command(context_settings=CONTEXT)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="备份目录（默认 var/backups）",
)
@friendly
def backup(out_dir: Path | None) -> None:
    """备份整个数据库（SQLite 在线备份 / PostgreSQL pg_dump）。 Back up the database."""
    from matchmaker.services.backup import backup as run_backup

    settings = Settings.from_env()
    target = run_backup(settings.database_url, out_dir or settings.var_dir / "backups")
    click.echo(f"已备份到 {target}")


@main.command(context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="不再询问确认 / do not ask for confirmation")
@friendly
def restore(file: Path, yes: bool) -> None:
    """用备份文件替换整个数据库（先停止服务；当前数据先自动备份）。 Restore the database from a backup."""
    from matchmaker.services.backup import restore as run_restore

    settings = Settings.from_env()
    if not yes:
        click.confirm(f"将用 {file.name} 替换当前数据库的全部数据，确定继续？", abort=True)
    safety = run_restore(settings.database_url, file, settings.var_dir / "backups")
    click.echo(f"已从 {file.name} 恢复；恢复前的数据已备份到 {safety}")


@main.command(context_settings=CONTEXT)
@click.option("--host", default=None, help="监听地址（默认 MATCHMAKER_HOST 或 127.0.0.1）")
@click.option("--port", default=None, type=int, help="端口（默认 MATCHMAKER_PORT 或 8000）")
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(min=1),
    help="Web 进程数（默认等于 CPU 核数）。Number of web processes (default: the number of cores).",
)
@click.option(
    "--no-worker",
    is_flag=True,
    help="不在本机启动后台任务进程（任务由其他机器上的 matchmaker worker 处理）。Start no job worker here.",
)
@friendly
def serve(host: str | None, port: int | None, workers: int | None, no_worker: bool) -> None:
    """迁移数据库后启动 Web 服务（N 个进程）和一个后台任务进程。 Migrate, then serve with N processes and a worker."""
    import os
    import subprocess

    import uvicorn

    services = _services()
    _migrate(services)
    host = host or services.settings.host
    port = port or services.settings.port
    workers = workers or os.cpu_count() or 1
    worker = None
    if not no_worker:
        worker = subprocess.Popen(
            [sys.executable, "-m", "matchmaker.cli", "worker"],
            preexec_fn=_die_with_parent,  # noqa: PLW1509 -- serve has started no thread yet
        )
    click.echo(f"溧阳技术转移对接平台：http://{host}:{port}/（{workers} 个 Web 进程）")
    try:
        uvicorn.run(
            "matchmaker.web.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            timeout_graceful_shutdown=5,
            proxy_headers=False,  # forwarded headers are read by the app (web/security.client_address)
        )
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()


def _die_with_parent() -> None:
    """The worker ``serve`` starts ends with it, even when ``serve`` is ended by a signal (uvicorn re-raises
    SIGTERM/SIGINT after shutting down, so no ``finally`` runs). Linux only (prctl PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)


@main.command(context_settings=CONTEXT)
@click.option(
    "--threads", default=1, type=click.IntRange(min=1), help="同时运行的任务数（默认 1）。Jobs at once."
)
@friendly
def worker(threads: int) -> None:
    """运行后台任务（表格导入、重建索引、排程等），直到被停止。 Run queued jobs until stopped.

    使用 PostgreSQL（DATABASE_URL）时，可在多台机器上各运行一个，共享同一个任务队列。
    """
    import logging

    from matchmaker.services import jobs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    services = _services()
    _migrate(services)
    failed = jobs.reap_stale(services)
    if failed:
        click.echo(f"{failed} 个任务的处理进程已中止，已标记为失败（可在任务页重试）", err=True)
    click.echo("后台任务进程已启动", err=True)
    jobs.queue(services).consume(workers=threads)


def _mapping_options(fn: F) -> F:
    """--map / --value / --profile, shared by every import command."""
    fn = click.option(
        "--profile",
        default=None,
        help="使用（并在给出 --map/--value 时保存到）这个导入方案。Use (and save --map/--value into) this import profile.",
    )(fn)
    fn = click.option(
        "--value",
        "values",
        multiple=True,
        metavar="字段:原值=平台值",
        help="把无法识别的取值对应到平台的值，如 法律状态:专利权有效=有效。Map a value.",
    )(fn)
    return click.option(
        "--map",
        "maps",
        multiple=True,
        metavar="字段=列名",
        help="指定某个字段取自哪一列（列名或列字母），如 专利名称=发明名称。Map a field to a column.",
    )(fn)


def _decisions(kind: str, maps: tuple[str, ...], values: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """--map and --value as the service's ``Decisions``; a malformed item is a Chinese usage error."""
    from matchmaker.services.import_profiles import parse_decisions

    try:
        return parse_decisions(kind, maps, values)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def _remember(services, actor, kind: str, report, decisions, profile: str | None) -> None:  # type: ignore[no-untyped-def]
    """With --profile and --map/--value, a preview that found every required column saves the mapping."""
    from matchmaker.services import import_profiles

    if profile and decisions and not report.needs_mapping:
        with services.transaction() as session:
            import_profiles.save_profile(
                session,
                actor,
                kind,
                profile,
                import_profiles.Decisions(dict(report.mapping), decisions.answers),
            )


def _echo_columns_and_questions(report) -> None:  # type: ignore[no-untyped-def]
    """Columns taken other than by their exact header, and values to map, so nothing is silently dropped."""
    for column in report.columns:
        plain = f"表头「{column.header}」"
        if column.field is not None and column.reason != plain and not column.reason.startswith(f"{plain}，"):
            click.echo(f"  列 {column.letter}「{column.header}」→ {column.label}：{column.reason}")
    for question in report.questions:
        rows = "、".join(str(r) for r in question.rows[:10]) + ("等" if len(question.rows) > 10 else "")
        click.echo(
            f"  {question.label}「{question.value}」无法识别（第 {rows} 行）；请用 --value "
            f"{question.label}:{question.value}=（{'/'.join(question.choices)}）指定"
        )


def _ask_for_mapping(report, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """A required field without a column: list the file's columns and how to name one; exit 1."""
    if as_json:
        click.echo(json.dumps(report.to_json(0), ensure_ascii=False))
        sys.exit(1)
    click.echo(
        f"文件 {report.filename}：表头在第 {report.header_row} 行，以下必填字段没有找到对应的列：{'、'.join(report.missing)}"
    )
    click.echo("文件中的列：")
    for column in report.columns:
        taken = f"→ {column.label}" if column.label else "（未使用）"
        samples = "、".join(column.samples)
        click.echo(f"  {column.letter}「{column.header}」{taken}  示例：{samples}")
    click.echo("请用 --map 字段=列名 指定（如 --map 权利人=专利权人），加 --profile 名称 可保存为导入方案。")
    sys.exit(1)


@main.command("import-offers", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--institution",
    default=None,
    help="表格中没有权利人/单位的行归入此单位（任意常见写法，自动规范化）。Owner for rows without one.",
)
@click.option(
    "--commit", "do_commit", is_flag=True, help="写入有效行（一个事务）；不加则只预览。Store the valid rows."
)
@click.option(
    "--json", "as_json", is_flag=True, help="输出一个 JSON 对象（Excel 行号）。Print one JSON object."
)
@_mapping_options
@friendly
def import_offers(
    file: Path,
    institution: str | None,
    do_commit: bool,
    as_json: bool,
    maps: tuple[str, ...],
    values: tuple[str, ...],
    profile: str | None,
) -> None:
    """导入专利成果表格（.xlsx/.csv），预览或写入。 Import a patent-offer spreadsheet (operator's tool).

    每行的权利人/单位列决定其所属单位；不加 --commit 时只预览，不写入任何数据。
    """
    import json

    from matchmaker.services import offer_import
    from matchmaker.services.permissions import Actor

    services = _services()
    actor = Actor.system()
    try:
        _migrate(services)
        default = _institution_name(services, institution) if institution else None
        decisions = _decisions("offer", maps, values)
        report = offer_import.preview(
            services,
            actor,
            file.read_bytes(),
            file.name,
            default_institution=default,
            decisions=decisions,
            profile=profile,
        )
        _remember(services, actor, "offer", report, decisions, profile)
    except MatchmakerError as exc:
        if not as_json:
            raise
        errors = [{"row": None, "field": e.field or "file", "message": e.message} for e in exc.field_errors()]
        click.echo(
            json.dumps(
                {"rows": 0, "valid": 0, "committed": 0, "errors": errors, "duplicates": []},
                ensure_ascii=False,
            )
        )
        sys.exit(1)
    if report.needs_mapping:
        _ask_for_mapping(report, as_json)
    committed = 0
    if do_commit:
        if as_json:
            committed = offer_import.commit(services, actor, report).committed
        else:
            with click.progressbar(length=len(report.valid_drafts), label="正在导入", file=sys.stderr) as bar:
                committed = offer_import.commit(services, actor, report, progress=bar.update).committed
    document = report.to_json(committed)
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False))
        return
    click.echo(f"文件 {file.name}：表头在第 {report.header_row} 行，共 {document['rows']} 行数据")
    for note in report.notes:
        click.echo(f"  提示：{note}")
    click.echo(
        f"有效 {document['valid']} 行，错误 {len(report.with_status('error'))} 行，"
        f"重复 {len(report.with_status('duplicate'))} 行"
    )
    _echo_columns_and_questions(report)
    for row in report.results:
        if row.status == "error":
            for error in row.errors:
                click.echo(f"  第 {row.row} 行 错误：{error.message}")
        elif row.status == "duplicate":
            click.echo(f"  第 {row.row} 行 重复：与{row.duplicate_of}重复，未导入")
        for warning in row.warnings:
            click.echo(f"  第 {row.row} 行 提示：{warning}")
    if do_commit:
        click.echo(f"已导入 {committed} 条专利成果。")
    else:
        click.echo("这是预览，没有写入任何数据；确认无误后加 --commit 导入有效行。")


def _institution_name(services, text: str) -> str:  # type: ignore[no-untyped-def]
    """The canonical name of ``--institution``, or a Chinese error naming what was typed."""
    from matchmaker.domain.errors import invalid
    from matchmaker.services import institutions

    with services.session() as session:
        canonical = institutions.normalizer(session).resolve(text).canonical
    if canonical is None:
        raise invalid("institution", f"--institution「{text}」不是平台已登记的单位")
    return canonical


@main.command("import-contracts", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--commit", "do_commit", is_flag=True, help="写入有效行（一个事务）；不加则只预览。Store the valid rows."
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="输出一个 JSON 对象（Excel 行号，含 total_yuan）。Print one JSON object.",
)
@_mapping_options
@friendly
def import_contracts(
    file: Path,
    do_commit: bool,
    as_json: bool,
    maps: tuple[str, ...],
    values: tuple[str, ...],
    profile: str | None,
) -> None:
    """导入技术合同登记明细（.xlsx/.csv），预览或写入。 Import registered technology contracts.

    重复的合同登记编号（文件内或已登记）只报告、不导入；不加 --commit 时不写入任何数据。
    """
    import json

    from matchmaker.services import contract_import
    from matchmaker.services.permissions import Actor

    services = _services()
    actor = Actor.system()
    try:
        _migrate(services)
        decisions = _decisions("contract", maps, values)
        with services.transaction() as session:
            report = contract_import.preview(
                session,
                services.reference,
                file.read_bytes(),
                file.name,
                max_bytes=services.settings.max_upload_bytes,
                decisions=decisions,
                profile=profile,
            )
            committed = 0
            if report.needs_mapping:
                pass
            elif do_commit and as_json:
                committed = contract_import.commit(session, actor, report)
            elif do_commit:
                with click.progressbar(
                    length=len(report.valid_drafts), label="正在导入", file=sys.stderr
                ) as bar:
                    committed = contract_import.commit(session, actor, report, progress=bar.update)
    except MatchmakerError as exc:
        if not as_json:
            raise
        errors = [{"row": None, "field": e.field or "file", "message": e.message} for e in exc.field_errors()]
        click.echo(
            json.dumps(
                {
                    "rows": 0,
                    "valid": 0,
                    "committed": 0,
                    "errors": errors,
                    "duplicates": [],
                    "total_yuan": "0.00",
                },
                ensure_ascii=False,
            )
        )
        sys.exit(1)
    if report.needs_mapping:
        _ask_for_mapping(report, as_json)
    else:
        _remember(services, actor, "contract", report, decisions, profile)
    document = report.to_json(committed)
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False))
        return
    click.echo(f"文件 {file.name}：表头在第 {report.header_row} 行，共 {document['rows']} 行数据")
    click.echo(
        f"有效 {document['valid']} 行，错误 {len(report.with_status('error'))} 行，"
        f"重复 {len(report.with_status('duplicate'))} 行；有效行合同成交额合计 {document['total_yuan']} 元"
    )
    _echo_columns_and_questions(report)
    for row in report.results:
        for error in row.errors:
            click.echo(f"  第 {row.row} 行 错误：{error.message}")
        if row.status == "duplicate":
            click.echo(f"  第 {row.row} 行 重复：与{row.duplicate_of}重复，未导入")
        for warning in row.warnings if row.status == "valid" else ():
            click.echo(f"  第 {row.row} 行 提示：{warning}")
    if do_commit:
        click.echo(f"已导入 {committed} 份技术合同。")
    else:
        click.echo("这是预览，没有写入任何数据；确认无误后加 --commit 导入有效行。")


def _directory_import(
    kind: str,
    file: Path,
    do_commit: bool,
    as_json: bool,
    maps: tuple[str, ...],
    values: tuple[str, ...],
    profile: str | None,
) -> None:
    """import-needs and import-companies: preview (or commit) as the system operator."""
    from matchmaker.services import directory_import
    from matchmaker.services.permissions import Actor

    services = _services()
    actor = Actor.system()
    try:
        _migrate(services)
        decisions = _decisions(kind, maps, values)
        report = directory_import.preview(
            services, actor, kind, file.read_bytes(), file.name, decisions=decisions, profile=profile
        )
        if not report.needs_mapping:
            _remember(services, actor, kind, report, decisions, profile)
    except MatchmakerError as exc:
        if not as_json:
            raise
        errors = [{"row": None, "field": e.field or "file", "message": e.message} for e in exc.field_errors()]
        document = {"rows": 0, "valid": 0, "committed": 0, "errors": errors, "duplicates": []}
        click.echo(json.dumps(document, ensure_ascii=False))
        sys.exit(1)
    if report.needs_mapping:
        _ask_for_mapping(report, as_json)
    committed = directory_import.commit(services, actor, report) if do_commit else 0
    document = report.to_json(committed)
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False))
        return
    click.echo(f"文件 {file.name}：表头在第 {report.header_row} 行，共 {document['rows']} 行数据")
    for note in report.notes:
        click.echo(f"  提示：{note}")
    click.echo(
        f"有效 {document['valid']} 行，错误 {len(report.with_status('error'))} 行，"
        f"重复 {len(report.with_status('duplicate'))} 行"
    )
    _echo_columns_and_questions(report)
    for row in report.results:
        for error in row.errors:
            click.echo(f"  第 {row.row} 行 错误：{error.message}")
        if row.status == "duplicate":
            click.echo(f"  第 {row.row} 行 重复：与{row.duplicate_of}重复，未导入")
        for warning in row.warnings:
            click.echo(f"  第 {row.row} 行 提示：{warning}")
    noun = "条技术需求" if kind == "need" else "家企业"
    if do_commit:
        click.echo(f"已导入 {committed} {noun}。")
    else:
        click.echo("这是预览，没有写入任何数据；确认无误后加 --commit 导入有效行。")


_COMMIT_HELP = "写入有效行（一个事务）；不加则只预览。Store the valid rows."
_JSON_HELP = "输出一个 JSON 对象（Excel 行号）。Print one JSON object."


@main.command("import-needs", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", "do_commit", is_flag=True, help=_COMMIT_HELP)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@_mapping_options
@friendly
def import_needs(
    file: Path,
    do_commit: bool,
    as_json: bool,
    maps: tuple[str, ...],
    values: tuple[str, ...],
    profile: str | None,
) -> None:
    """导入企业技术需求征集表（.xlsx/.csv）。 Import technology needs collected from companies.

    企业按统一社会信用代码对应；平台上还没有的企业一并登记（需填所在镇街和领域）。
    """
    _directory_import("need", file, do_commit, as_json, maps, values, profile)


@main.command("import-companies", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", "do_commit", is_flag=True, help=_COMMIT_HELP)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@_mapping_options
@friendly
def import_companies(
    file: Path,
    do_commit: bool,
    as_json: bool,
    maps: tuple[str, ...],
    values: tuple[str, ...],
    profile: str | None,
) -> None:
    """导入企业名录（企业名称、统一社会信用代码、镇街、领域）。 Import a company directory.

    已登记的信用代码只报告为重复，不会修改已有企业。
    """
    _directory_import("company", file, do_commit, as_json, maps, values, profile)


def _matching_embedder(settings: Settings):  # type: ignore[no-untyped-def]
    from matchmaker.services.match_index import matching_embedder

    return matching_embedder(settings)


def _bundled_eval_dir() -> Path:
    """The labelled set that ships in the checkout (eval/), so eval and tune need no folder from elsewhere."""
    bundled = Path(__file__).resolve().parents[1] / "eval"
    if not (bundled / "qrels.tsv").is_file():
        raise click.UsageError("找不到项目自带的评测集 eval/，请用 --data DIR 指定")
    return bundled


@main.command("eval", context_settings=CONTEXT)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="评测集目录（offers.jsonl、needs.jsonl、qrels.tsv；默认为项目自带的 eval/）",
)
@click.option(
    "--judgements",
    "on_judgements",
    is_flag=True,
    help="改为在平台数据库中保存的评价上评估（好匹配/签约 2 分，意向/接受 1 分，不相关/无果/婉拒 0 分）",
)
@click.option(
    "--distractors",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="额外的干扰成果：offers.jsonl，或演示数据的 seed/demo/offers.json（所得指标为下界）",
)
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 对象")
@friendly
def eval_command(data_dir: Path | None, on_judgements: bool, distractors: Path | None, as_json: bool) -> None:
    """在带标注的评测集（--data）或平台保存的评价（--judgements）上评估匹配器。 Evaluate the matcher."""
    import json

    from matchmaker.matching.evaluation import evaluate, format_table

    if on_judgements and data_dir is not None:
        raise click.UsageError("--data 与 --judgements 只能选一个")
    if not on_judgements and data_dir is None:
        data_dir = _bundled_eval_dir()
    if on_judgements:
        from matchmaker.services import match_evaluation

        services = _services()
        _migrate(services)
        figures = match_evaluation.evaluate_judgements(services)
        click.echo(
            json.dumps(figures, ensure_ascii=False)
            if as_json
            else match_evaluation.format_judgement_figures(figures)
        )
        return
    assert data_dir is not None
    settings = Settings.from_env()
    result = evaluate(
        data_dir,
        _matching_embedder(settings),
        settings.var_dir / "embeddings",
        distractors=distractors,
        progress=not as_json,
    )
    click.echo(json.dumps(result, ensure_ascii=False) if as_json else format_table(result))


@main.command("tune", context_settings=CONTEXT)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="评测集目录（offers.jsonl、needs.jsonl、qrels.tsv；默认为项目自带的 eval/）",
)
@click.option(
    "--folds", type=click.IntRange(2, 20), default=5, show_default=True, help="按需求交叉验证的折数"
)
@click.option(
    "--judgements",
    "with_judgements",
    is_flag=True,
    help="同时用平台保存的组织者评价拟合（同一需求下，评价高的成果应排在评价低的前面）",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="写入的权重文件（默认 seed/matching/weights.json，即平台使用的那一份）",
)
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 对象")
@friendly
def tune_command(
    data_dir: Path | None, folds: int, with_judgements: bool, out: Path | None, as_json: bool
) -> None:
    """拟合融合权重（写入 seed/matching/weights.json）并打印每折的留出指标。

    加 --judgements 时，平台里组织者的评价（好匹配/签约 2 分，意向/接受 1 分，不相关/无果/婉拒 0 分）一并参与拟合；
    留出指标仍在评测集上计算。拟合后运行 matchmaker reindex 或重启服务即生效。
    """
    import json

    from matchmaker.matching.fusion import WEIGHTS_PATH
    from matchmaker.matching.tuning import format_tuning, tune

    settings = Settings.from_env()
    data_dir = data_dir or _bundled_eval_dir()
    extra = None
    if with_judgements:
        from matchmaker.services import match_evaluation

        services = _services()
        _migrate(services)
        extra = match_evaluation.judgement_preferences(services)
        if not extra.needs:
            click.echo(
                "提示：平台评价里还没有可比较的成果对（需要某条需求下既有评价高、又有评价低的成果），本次只用评测集拟合。",
                err=True,
            )
    result = tune(
        data_dir,
        _matching_embedder(settings),
        settings.var_dir / "embeddings",
        folds=folds,
        weights_path=out or WEIGHTS_PATH,
        progress=not as_json,
        extra=extra,
    )
    click.echo(json.dumps(result, ensure_ascii=False) if as_json else format_tuning(result))


@main.command("reindex", context_settings=CONTEXT)
@friendly
def reindex() -> None:
    """重建匹配索引（已发布的成果与开放、对接中的需求），带进度条。 Rebuild the match index from the database.

    向量按文本缓存在 var/embeddings/，已计算过的不会重算；索引保存在 var/match_index/，重启后直接载入。
    """
    from matchmaker.services import match_index

    services = _services()
    _migrate(services)
    from tqdm import tqdm

    with tqdm(total=0, unit="项", desc="正在建立匹配索引", file=sys.stderr) as bar:

        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        report = match_index.rebuild(services, progress=advance)
    click.echo(
        f"匹配索引已重建：成果 {report.offers} 项，需求 {report.needs} 项；新计算向量 {report.embedded} 个"
        f"（其余取自缓存），用时 {report.seconds:.1f} 秒；模型 {match_index.embedder(services).model_id}。"
    )


@main.command("search-index", context_settings=CONTEXT)
@friendly
def search_index() -> None:
    """建立或更新专利成果检索索引（内置检索保存在 var/search/；设置 MEILI_URL 时写入 Meilisearch）。

    网页第一次检索时也会自动建立，但成果很多时（如 10 万项）需要几分钟，可先用本命令建好。
    """
    from tqdm import tqdm

    from matchmaker.services import search as offer_search

    services = _services()
    with (
        services.session() as session,
        tqdm(total=0, unit="项", desc="正在建立检索索引", file=sys.stderr) as bar,
    ):

        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        changed = offer_search.sync(services, session, progress=advance)
    click.echo(f"检索索引已是最新：本次更新 {changed} 项成果（{offer_search.backend(services).name}）")


if __name__ == "__main__":
    main()
