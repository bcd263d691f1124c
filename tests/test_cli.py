"""The CLI: bilingual help, demo seeding and account creation, failures as one sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from matchmaker.cli import main
from matchmaker.storage.db import make_engine
from matchmaker.storage.models import Offer, User


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"MATCHMAKER_VAR_DIR": str(tmp_path), "SECRET_KEY": "cli-test"}


def test_help_is_bilingual() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "溧阳技术转移对接平台" in result.output and "seed" in result.output


def test_seed_demo_prints_accounts_and_is_idempotent(env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["seed", "--demo"], env=env)
    second = runner.invoke(main, ["seed", "--demo"], env=env)
    engine = make_engine(f"sqlite:///{tmp_path / 'matchmaker.db'}")
    with Session(engine) as s:
        offers = len(s.exec(select(Offer)).all())
        roles = {u.role for u in s.exec(select(User))}
    assert first.exit_code == 0 and second.exit_code == 0
    assert "admin" in first.output and "demo-admin-2026" in first.output
    assert "新增：无（数据已存在）" in second.output
    assert offers >= 60
    assert roles == {"admin", "bureau", "organizer", "researcher", "sme"}


def test_create_user_binds_a_researcher_to_a_normalised_institution(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main,
        [
            "create-user",
            "li_yan",
            "--role",
            "researcher",
            "--institution",
            "重大溧阳研究院",
            "--password",
            "secret-123",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{tmp_path / 'matchmaker.db'}")
    with Session(engine) as s:
        user = s.exec(select(User).where(User.username == "li_yan")).one()
        from matchmaker.storage.models import Institution

        assert s.get(Institution, user.institution_id).canonical_name == "重庆大学溧阳研究院"


def test_create_user_with_unknown_institution_fails_with_one_sentence(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main,
        [
            "create-user",
            "x_user",
            "--role",
            "researcher",
            "--institution",
            "南京大学",
            "--password",
            "secret-123",
        ],
        env=env,
    )
    assert result.exit_code == 1
    assert "未知单位：南京大学" in result.output
    assert "Traceback" not in result.output
