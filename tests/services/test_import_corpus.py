"""The import corpus (tests/data/imports/, made by make_corpus.py) through the services and the CLI: every file
gives exactly the outcome expected.json states, a second import stores nothing, a mapping is asked once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlmodel import select

from matchmaker.cli import main
from matchmaker.services import accounts, contract_import, directory_import, offer_import
from matchmaker.services.import_profiles import Decisions, parse_decisions
from matchmaker.settings import PROJECT_ROOT
from matchmaker.storage.models import Offer

CORPUS = PROJECT_ROOT / "tests" / "data" / "imports"
EXPECTED: dict[str, dict[str, Any]] = {
    name: outcome
    for name, outcome in json.loads((CORPUS / "expected.json").read_text(encoding="utf-8")).items()
    if not name.startswith("_")
}
COMMANDS = {
    "offer": "import-offers",
    "contract": "import-contracts",
    "need": "import-needs",
    "company": "import-companies",
}


def _decisions(outcome: dict[str, Any]) -> Decisions | None:
    mapping = outcome.get("map")
    return parse_decisions(outcome["kind"], [f"{k}={v}" for k, v in mapping.items()], []) if mapping else None


def _preview(services: Any, actor: Any, name: str, decisions: Decisions | None = None) -> Any:
    kind = EXPECTED[name]["kind"]
    data = (CORPUS / name).read_bytes()
    if kind == "offer":
        return offer_import.preview(services, actor, data, name, decisions=decisions)
    if kind == "contract":
        with services.session() as session:
            return contract_import.preview(session, services.reference, data, name, decisions=decisions)
    return directory_import.preview(services, actor, kind, data, name, decisions=decisions)


def _commit(services: Any, actor: Any, report: Any) -> int:
    kind = report.kind
    if kind == "offer":
        return offer_import.commit(services, actor, report).committed
    if kind == "contract":
        with services.transaction() as session:
            return contract_import.commit(session, actor, report)
    return directory_import.commit(services, actor, report)


@pytest.fixture
def actors(make: Any) -> dict[str, Any]:
    admin = accounts.actor_for(make.user("admin"))
    bureau = accounts.actor_for(make.user("bureau"))
    return {"offer": admin, "contract": bureau, "need": bureau, "company": bureau}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_corpus_file_imports_as_expected_and_only_once(
    services: Any, actors: dict[str, Any], name: str
) -> None:
    outcome = EXPECTED[name]
    actor = actors[outcome["kind"]]
    if "missing" in outcome:
        asked = _preview(services, actor, name)
        assert (asked.missing, asked.results) == (tuple(outcome["missing"]), ())

    report = _preview(services, actor, name, _decisions(outcome))

    assert report.header_row == outcome["header_row"]
    assert (len(report.results), len(report.valid_drafts)) == (outcome["rows"], outcome["valid"])
    assert [r.row for r in report.with_status("error")] == outcome["errors"]
    assert [r.row for r in report.with_status("duplicate")] == outcome["duplicates"]
    assert [[q.label, q.value] for q in report.questions] == outcome.get("questions", [])
    if "total_yuan" in outcome:
        assert format(report.total_yuan, "f") == outcome["total_yuan"]
    for result in report.with_status("error"):
        assert result.identity, f"row {result.row} shows no identifying cells"
    assert _commit(services, actor, report) == outcome["valid"]

    again = _preview(services, actor, name, _decisions(outcome))
    assert len(again.valid_drafts) == 0
    assert _commit(services, actor, again) == 0


def test_merged_owner_cells_give_every_row_its_owner(services: Any, actors: dict[str, Any]) -> None:
    report = _preview(services, actors["offer"], "offers_merged_hidden.xlsx")
    owners = {r.row: r.draft.institution for r in report.results if r.draft is not None}
    assert owners == {
        4: "重庆大学溧阳研究院",
        5: "重庆大学溧阳研究院",
        6: "重庆大学溧阳研究院",
        7: "南京航空航天大学天目湖校区",
    }
    [row8] = report.with_status("error")  # its owner came from the merge too: the only problem is the type
    assert [e.field for e in row8.errors] == ["patent_type"]


def test_price_ranges_and_phrases_are_stored_as_written(services: Any, actors: dict[str, Any]) -> None:
    report = _preview(services, actors["offer"], "offers_patent_database.xlsx")
    offer_import.commit(services, actors["offer"], report)
    with services.session() as s:
        prices = {
            o.title: (o.price_wan, o.price_max_wan, o.legal_status, o.field) for o in s.exec(select(Offer))
        }
    assert prices["一种硅碳负极预锂化方法"] == (20, 30, "有效", "动力电池")
    assert prices["一种储能电站热失控早期预警方法"] == (None, None, "审中", "绿色储能")
    assert prices["一种配电台区三相不平衡治理装置"] == (50, None, "失效", "智能电网")
    assert prices["一种水稻秸秆还田机"] == (15, None, "有效", "现代农业")
    assert prices["一种钠离子电池正极材料"] == (10, 20, "审中", "新材料")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "MATCHMAKER_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "cli-test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}",
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_corpus_file_through_the_cli(env: dict[str, str], name: str) -> None:
    outcome = EXPECTED[name]
    command = [COMMANDS[outcome["kind"]], str(CORPUS / name), "--json", "--commit"]
    maps = [f"--map={k}={v}" for k, v in outcome.get("map", {}).items()]

    result = CliRunner().invoke(main, command + maps, env=env)

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["rows"], document["valid"], document["committed"]) == (
        outcome["rows"],
        outcome["valid"],
        outcome["valid"],
    )
    assert sorted({e["row"] for e in document["errors"]}) == outcome["errors"]
    assert [d["row"] for d in document["duplicates"]] == outcome["duplicates"]


def test_the_cli_asks_for_a_mapping_once_and_the_profile_answers_the_next_time(env: dict[str, str]) -> None:
    file = str(CORPUS / "offers_needs_mapping.csv")
    runner = CliRunner()

    asked = runner.invoke(main, ["import-offers", file], env=env)
    assert asked.exit_code == 1
    assert "以下必填字段没有找到对应的列：专利名称" in asked.stdout
    assert (
        "  B「项目」（未使用）  示例：机器视觉焊缝检测方法、AGV激光导航定位方法、卷绕机张力控制方法"
        in asked.stdout
    )

    mapped = runner.invoke(
        main, ["import-offers", file, "--map", "专利名称=项目", "--profile", "南航成果处"], env=env
    )
    assert mapped.exit_code == 0, mapped.output
    assert "  列 B「项目」→ 专利名称：按您的指定：「项目」" in mapped.stdout

    remembered = runner.invoke(main, ["import-offers", file, "--json"], env=env)
    assert (remembered.exit_code, json.loads(remembered.stdout)["valid"]) == (0, 3)
    named = runner.invoke(main, ["import-offers", file, "--profile", "南航成果处", "--commit"], env=env)
    assert "列 B「项目」→ 专利名称：按导入方案「南航成果处」：「项目」" in named.stdout
    assert named.stdout.strip().endswith("已导入 3 条专利成果。")


def test_the_cli_refuses_a_malformed_map_in_chinese(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["import-offers", str(CORPUS / "offers_gbk.csv"), "--map", "颜色=A"], env=env
    )
    assert result.exit_code == 2
    assert "专利成果没有名为「颜色」的字段" in result.output
