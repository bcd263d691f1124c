"""The offer import through the service and the CLI: the sample's documented outcome, one transaction,
ownership, confirmations and bad files (samples/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, col, func, select

from matchmaker.cli import main
from matchmaker.domain.errors import PermissionDenied
from matchmaker.importing.sheets import ImportFileError
from matchmaker.services import accounts, offer_import, offers
from matchmaker.services.permissions import Actor
from matchmaker.settings import PROJECT_ROOT
from matchmaker.storage import audit
from matchmaker.storage.db import make_engine
from matchmaker.storage.models import AuditLog, Offer

SAMPLES = PROJECT_ROOT / "samples"
SEU = "东南大学溧阳研究院"
EXPECTED_ERRORS = [
    {"row": 9, "field": "application_number", "message": "申请号 201920851901.2 的校验位应为 X"},
    {"row": 15, "field": "title", "message": "专利名称不能为空"},
    {"row": 21, "field": "application_number", "message": "申请号 201720023794.3 的校验位应为 2"},
    {"row": 26, "field": "trl", "message": "技术成熟度应在 1–9 之间，现为 12"},
    {"row": 30, "field": "price_wan", "message": "意向价格 -20 为负数，价格不能为负"},
    {"row": 33, "field": "application_number", "message": "申请号 202211841872.9 的校验位应为 1"},
]
EXPECTED_DUPLICATES = [{"row": 40, "of": "第12行"}, {"row": 42, "of": "第18行（标题几乎相同，需人工确认）"}]


def sample(name: str = "tto_offers.xlsx") -> bytes:
    return (SAMPLES / name).read_bytes()


def offer_count(services) -> int:  # type: ignore[no-untyped-def]
    with services.session() as s:
        return s.exec(select(func.count()).select_from(Offer)).one()


@pytest.fixture
def seu(make) -> Actor:  # type: ignore[no-untyped-def]
    return accounts.actor_for(make.user("researcher", institution=SEU))


@pytest.mark.parametrize("name", ["tto_offers.xlsx", "tto_offers.csv"])
def test_the_sample_commits_exactly_the_documented_32_offers(services, seu, name: str) -> None:
    report = offer_import.preview(services, seu, sample(name), name)
    assert offer_count(services) == 0

    result = offer_import.commit(services, seu, report)

    assert report.to_json(result.committed) == {
        "rows": 40,
        "valid": 32,
        "committed": 32,
        "errors": EXPECTED_ERRORS,
        "duplicates": EXPECTED_DUPLICATES,
    }
    with services.session() as s:
        stored = s.exec(select(Offer)).all()
    assert len(stored) == 32
    assert {o.institution_id for o in stored} == {seu.institution_id}
    assert {o.status for o in stored} == {"发布"}
    assert [o.warnings for o in stored if o.warnings] == [["专利类型「发明专利（PCT）」已按「发明」登记"]]


def test_each_imported_offer_is_audited_as_created_by_the_importing_user(services, seu) -> None:
    result = offer_import.commit(
        services, seu, offer_import.preview(services, seu, sample(), "tto_offers.xlsx")
    )

    with services.session() as s:
        creates = s.exec(
            select(AuditLog).where(AuditLog.action == "create", AuditLog.entity == "offer")
        ).all()
    assert sorted(a.entity_id for a in creates) == sorted(result.offer_ids)
    assert {(a.user_id, a.username, a.note) for a in creates} == {(seu.id, seu.username, "表格导入")}


def test_importing_the_same_file_again_adds_nothing(services, seu) -> None:
    offer_import.commit(services, seu, offer_import.preview(services, seu, sample(), "tto_offers.xlsx"))

    again = offer_import.preview(services, seu, sample("tto_offers.csv"), "tto_offers.csv")
    result = offer_import.commit(services, seu, again)

    document = again.to_json(result.committed)
    assert (document["valid"], document["committed"], len(document["duplicates"])) == (0, 0, 34)
    assert offer_count(services) == 32
    assert all(d["of"].startswith("已有成果 #") for d in document["duplicates"])


def test_a_probable_duplicate_is_stored_only_when_its_row_is_confirmed(services, seu) -> None:
    report = offer_import.preview(services, seu, sample(), "tto_offers.xlsx")

    result = offer_import.commit(services, seu, report, confirmed_rows={42, 40})

    with services.session() as s:
        confirmed = s.exec(select(Offer).where(Offer.title == "一种新型芹菜类蔬菜采后气调保鲜方法")).one()
        note = s.exec(
            select(AuditLog.note).where(AuditLog.entity_id == confirmed.id, AuditLog.action == "create")
        ).one()
    assert result.committed == 33
    assert note == "表格导入（已确认不是重复登记）"


def test_another_institutions_researcher_can_add_none_of_the_rows(services, make) -> None:
    nuaa = accounts.actor_for(make.user("researcher", institution="南京航空航天大学天目湖校区"))

    report = offer_import.preview(services, nuaa, sample(), "tto_offers.xlsx")
    result = offer_import.commit(services, nuaa, report)

    ownership = [e for e in report.to_json(0)["errors"] if e["field"] == "institution"]
    assert (report.to_json(0)["valid"], result.committed, len(ownership)) == (0, 0, 40)
    assert ownership[0] == {
        "row": 4,
        "field": "institution",
        "message": "只能导入本单位（南京航空航天大学天目湖校区）的成果，本行权利人为「东南大学溧阳研究院」",
    }


def test_committing_someone_elses_rows_is_refused_and_writes_nothing(services, make, seu) -> None:
    nuaa = accounts.actor_for(make.user("researcher", institution="南京航空航天大学天目湖校区"))
    report = offer_import.preview(services, seu, sample(), "tto_offers.xlsx")

    with pytest.raises(PermissionDenied):
        offer_import.commit(services, nuaa, report)

    assert offer_count(services) == 0


@pytest.mark.parametrize("role", ["sme", "organizer", "bureau"])
def test_roles_without_offers_cannot_import(services, make, role: str) -> None:
    actor = accounts.actor_for(make.user(role))

    with pytest.raises(PermissionDenied):
        offer_import.preview(services, actor, sample(), "tto_offers.xlsx")


def test_a_failure_half_way_through_the_commit_leaves_the_database_as_it_was(
    services, seu, monkeypatch
) -> None:
    report = offer_import.preview(services, seu, sample(), "tto_offers.xlsx")
    offers_before, audit_before = offer_count(services), _audit_count(services)
    calls = {"n": 0}
    real_record = audit.record

    def failing_record(*args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 20:
            raise OSError("磁盘已满")
        real_record(*args, **kwargs)

    monkeypatch.setattr(audit, "record", failing_record)
    with pytest.raises(OSError):
        offer_import.commit(services, seu, report)

    assert calls["n"] == 20
    assert (offer_count(services), _audit_count(services)) == (offers_before, audit_before)


def _audit_count(services) -> int:  # type: ignore[no-untyped-def]
    with services.session() as s:
        return s.exec(select(func.count()).select_from(AuditLog)).one()


def test_a_patent_listed_between_preview_and_commit_is_skipped_not_stored_twice(services, seu) -> None:
    report = offer_import.preview(services, seu, sample(), "tto_offers.xlsx")
    row_four = report.results[0].draft
    with services.transaction() as session:
        by_hand = offers.create_offer(
            session,
            seu,
            {"title": row_four.title, "application_number": row_four.application_number, "institution": SEU},
            fields=services.reference.fields,
        )

    result = offer_import.commit(services, seu, report)

    assert (result.committed, result.skipped) == (31, {4: f"已有成果 #{by_hand.id}「{row_four.title}」"})
    assert offer_count(services) == 32


def test_listeners_hear_every_imported_offer_after_the_commit(services, seu) -> None:
    heard: list[str] = []
    services.listeners.offer.append(lambda _offer_id, change: heard.append(change))

    offer_import.commit(services, seu, offer_import.preview(services, seu, sample(), "tto_offers.xlsx"))

    assert heard == ["created"] * 32


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"%PDF-1.4 \x00\x01\x02 binary", "scan.pdf", "文件 scan.pdf 不是表格文件，只能导入 .xlsx 或 .csv 文件"),
    (b"", "empty.csv", "文件 empty.csv 是空的"),
    ("甲,乙,丙\n1,2,3\n".encode(), "noheader.csv",
     "文件 noheader.csv 的前 15 行中没有找到表头，请确认表头含有「专利名称」「申请号」「专利类型」等列名"),
    (b"PK\x03\x04 not really a zip", "broken.xlsx", "文件 broken.xlsx 不是有效的 Excel（.xlsx）文件"),
    (b"a" * (10 * 1024 * 1024 + 1), "huge.csv", "文件 huge.csv 大小为 10.0 MB，超过上限 10.0 MB，请拆分后再导入"),
])  # fmt: skip
def test_a_file_that_cannot_be_imported_gets_one_chinese_sentence(services, seu, data, name, message) -> None:
    with pytest.raises(ImportFileError) as refused:
        offer_import.preview(services, seu, data, name)

    assert refused.value.message == message


def test_a_stored_preview_is_read_back_only_by_its_uploader(services, make, seu) -> None:
    report = offer_import.preview(services, seu, sample(), "tto_offers.xlsx")
    other = accounts.actor_for(make.user("researcher", institution=SEU))

    token = offer_import.save_preview(services, seu, report)

    assert offer_import.load_preview(services, seu, token) == report
    with pytest.raises(PermissionDenied):
        offer_import.load_preview(services, other, token)


# --- the operator's CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"MATCHMAKER_VAR_DIR": str(tmp_path), "SECRET_KEY": "cli-test"}


def test_the_cli_previews_with_json_and_writes_nothing(env, tmp_path) -> None:
    result = CliRunner().invoke(main, ["import-offers", str(SAMPLES / "tto_offers.xlsx"), "--json"], env=env)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "rows": 40,
        "valid": 32,
        "committed": 0,
        "errors": EXPECTED_ERRORS,
        "duplicates": EXPECTED_DUPLICATES,
    }
    assert _cli_offers(tmp_path) == []


def test_the_cli_commits_32_then_nothing_on_a_second_run(env, tmp_path) -> None:
    runner = CliRunner()
    first = runner.invoke(
        main, ["import-offers", str(SAMPLES / "tto_offers.xlsx"), "--commit", "--json"], env=env
    )
    second = runner.invoke(
        main, ["import-offers", str(SAMPLES / "tto_offers.csv"), "--commit", "--json"], env=env
    )

    assert first.exit_code == second.exit_code == 0
    assert json.loads(first.stdout) == {
        "rows": 40,
        "valid": 32,
        "committed": 32,
        "errors": EXPECTED_ERRORS,
        "duplicates": EXPECTED_DUPLICATES,
    }
    assert (json.loads(second.stdout)["valid"], json.loads(second.stdout)["committed"]) == (0, 0)
    stored = _cli_offers(tmp_path)
    assert len(stored) == 32
    assert {(o.created_by, o.status) for o in stored} == {(None, "发布")}


def test_the_cli_summary_is_chinese_and_names_each_problem_row(env) -> None:
    result = CliRunner().invoke(main, ["import-offers", str(SAMPLES / "tto_offers.csv")], env=env)

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "文件 tto_offers.csv：表头在第 3 行，共 40 行数据",
        "  提示：未识别的列已忽略：序号、申请日",
        "有效 32 行，错误 6 行，重复 2 行",
    ]
    assert "  第 40 行 重复：与第12行重复，未导入" in lines
    assert lines[-1] == "这是预览，没有写入任何数据；确认无误后加 --commit 导入有效行。"


def test_the_cli_institution_option_fills_rows_without_an_owner(env, tmp_path) -> None:
    csv_path = tmp_path / "no_owner.csv"
    csv_path.write_text(
        "专利名称,申请号,专利类型\n一种储能电池热管理方法,202310198211.X,发明\n", encoding="utf-8"
    )

    result = CliRunner().invoke(
        main,
        ["import-offers", str(csv_path), "--institution", "南航天目湖校区", "--commit", "--json"],
        env=env,
    )

    assert json.loads(result.stdout)["committed"] == 1
    engine = make_engine(f"sqlite:///{tmp_path / 'matchmaker.db'}")
    with Session(engine) as s:
        assert s.exec(select(Offer.institution_id)).all() == [
            1 + _institution_index("南京航空航天大学天目湖校区")
        ]


def _institution_index(name: str) -> int:
    documents = json.loads((PROJECT_ROOT / "seed" / "institutions.json").read_text(encoding="utf-8"))
    return [item["canonical"] for item in documents].index(name)


def test_the_cli_refuses_a_bad_file_with_one_json_object_and_exit_code_1(env, tmp_path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("这不是表格\n", encoding="utf-8")

    result = CliRunner().invoke(main, ["import-offers", str(bad), "--json"], env=env)

    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "rows": 0,
        "valid": 0,
        "committed": 0,
        "duplicates": [],
        "errors": [
            {
                "row": None,
                "field": "file",
                "message": "文件 notes.txt 的前 15 行中没有找到表头，请确认表头含有「专利名称」「申请号」「专利类型」等列名",
            }
        ],
    }


def _cli_offers(var_dir: Path) -> list[Offer]:
    engine = make_engine(f"sqlite:///{var_dir / 'matchmaker.db'}")
    with Session(engine) as s:
        rows = list(s.exec(select(Offer).order_by(col(Offer.id))))
    engine.dispose()
    return rows
