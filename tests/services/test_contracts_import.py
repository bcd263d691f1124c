"""The sample registration export (samples/README.md) through the import service and the CLI."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from matchmaker.cli import main
from matchmaker.services import contract_import, stats
from matchmaker.services.permissions import Actor
from matchmaker.services.reference import load_reference
from matchmaker.services.seeding import seed_reference
from matchmaker.settings import PROJECT_ROOT
from matchmaker.storage.models import AuditLog, Contract

SAMPLES = PROJECT_ROOT / "samples"
REFERENCE = load_reference(PROJECT_ROOT / "seed")
BUREAU = Actor(id=None, username="ipo_import", role="bureau")
ERROR_ROWS = [10, 15, 19, 29, 41]
DUPLICATES = {26: "第7行", 34: "第13行"}


@pytest.fixture
def db(session: Session) -> Session:
    seed_reference(session, PROJECT_ROOT / "seed")
    session.flush()
    return session


def _preview(db: Session, name: str) -> contract_import.ContractImportReport:
    return contract_import.preview(db, REFERENCE, (SAMPLES / name).read_bytes(), name)


@pytest.mark.parametrize("name", ["contracts_export.xlsx", "contracts_export.csv"])
def test_the_sample_previews_as_documented_and_writes_nothing(db: Session, name: str) -> None:
    report = _preview(db, name)
    assert (
        len(report.results),
        len(report.valid_drafts),
        [r.row for r in report.with_status("error")],
        {r.row: r.duplicate_of for r in report.with_status("duplicate")},
        report.total_yuan,
        report.technology_total_yuan,
        db.exec(select(func.count()).select_from(Contract)).one(),
    ) == (40, 33, ERROR_ROWS, DUPLICATES, Decimal("20188003.61"), Decimal("19181903.44"), 0)


def test_committing_the_sample_stores_33_contracts_each_audited_by_the_importer(db: Session) -> None:
    committed = contract_import.commit(db, BUREAU, _preview(db, "contracts_export.xlsx"))
    creators = set(db.exec(select(AuditLog.username).where(AuditLog.entity == "contract")))
    audited = db.exec(
        select(func.count(func.distinct(AuditLog.entity_id))).where(AuditLog.entity == "contract")
    ).one()
    assert (committed, stats.totals(db, stats.StatsFilters()).amount_fen, creators, audited) == (
        33,
        2_018_800_361,
        {"ipo_import"},
        33,
    )


def test_the_stored_sample_breaks_down_by_year_and_type_as_documented(db: Session) -> None:
    contract_import.commit(db, BUREAU, _preview(db, "contracts_export.csv"))
    by_year = {r.label: str(r.amount_yuan) for r in stats.breakdown(db, stats.StatsFilters(), "year")}
    by_type = {
        r.label: (r.contracts, str(r.amount_yuan)) for r in stats.breakdown(db, stats.StatsFilters(), "type")
    }
    assert (by_year, by_type) == (
        {
            "2021": "4468400.23",
            "2022": "4654800.64",
            "2023": "4338401.37",
            "2024": "5102400.45",
            "2025": "1624000.92",
        },
        {
            "技术开发": (11, "7215800.87"),
            "技术服务": (12, "9625301.87"),
            "技术咨询": (5, "1626500.15"),
            "技术转让": (4, "1219200.72"),
            "技术许可": (1, "501200.00"),
        },
    )


def test_row_25_in_chinese_numerals_is_stored_with_its_warning(db: Session) -> None:
    contract_import.commit(db, BUREAU, _preview(db, "contracts_export.xlsx"))
    stored = db.exec(select(Contract).where(Contract.amount_fen == 10_000_000)).one()
    assert stored.warnings == ["金额以中文大写“壹拾万元整”书写，已读作 100,000.00 元，请核对"]


def test_reimporting_the_sample_adds_nothing_and_reports_35_duplicates(db: Session) -> None:
    contract_import.commit(db, BUREAU, _preview(db, "contracts_export.xlsx"))
    again = _preview(db, "contracts_export.csv")
    committed = contract_import.commit(db, BUREAU, again)
    assert (
        committed,
        len(again.with_status("duplicate")),
        [r.row for r in again.with_status("error")],
        again.total_yuan,
        stats.totals(db, stats.StatsFilters()).amount_fen,
    ) == (0, 35, ERROR_ROWS, Decimal("0.00"), 2_018_800_361)


def test_a_failing_insert_stores_nothing(db: Session) -> None:
    report = _preview(db, "contracts_export.xlsx")
    db.add(
        Contract(
            registration_number=report.valid_drafts[-1].registration_number,
            title="抢先登记",
            contract_type="技术服务",
            seller_name="x",
            buyer_name="y",
            buyer_credit_code="z",
            amount_fen=1,
            technology_amount_fen=1,
            signed_on=report.valid_drafts[0].signed_on,
            registered_on=report.valid_drafts[0].registered_on,
        )
    )
    db.flush()
    savepoint = db.begin_nested()
    with pytest.raises(IntegrityError):
        contract_import.commit(db, BUREAU, report)
    savepoint.rollback()
    assert (
        db.exec(select(func.count()).select_from(Contract).where(col(Contract.title) != "抢先登记")).one()
        == 0
    )


def _cli(tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {"MATCHMAKER_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    result = CliRunner().invoke(main, ["import-contracts", *args], env=env)
    return result.exit_code, result.output


def test_the_cli_json_has_the_offers_shape_plus_total_yuan(tmp_path: Path) -> None:
    code, output = _cli(tmp_path, str(SAMPLES / "contracts_export.xlsx"), "--commit", "--json")
    document = json.loads(output)
    assert (
        code,
        document["rows"],
        document["valid"],
        document["committed"],
        document["total_yuan"],
        [e["row"] for e in document["errors"]],
        document["duplicates"],
    ) == (
        0,
        40,
        33,
        33,
        "20188003.61",
        [10, 15, 15, 19, 29, 41],
        [{"row": 26, "of": "第7行"}, {"row": 34, "of": "第13行"}],
    )


def test_the_cli_reimport_stores_nothing_new(tmp_path: Path) -> None:
    _cli(tmp_path, str(SAMPLES / "contracts_export.csv"), "--commit", "--json")
    code, output = _cli(tmp_path, str(SAMPLES / "contracts_export.csv"), "--commit", "--json")
    document = json.loads(output)
    assert (code, document["committed"], len(document["duplicates"]), document["total_yuan"]) == (
        0,
        0,
        35,
        "0.00",
    )


def test_the_cli_preview_says_nothing_was_written(tmp_path: Path) -> None:
    code, output = _cli(tmp_path, str(SAMPLES / "contracts_export.csv"))
    assert (code, output.splitlines()[-1]) == (
        0,
        "这是预览，没有写入任何数据；确认无误后加 --commit 导入有效行。",
    )
