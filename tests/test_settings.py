"""Settings come from one mapping; tests pass a dict instead of patching the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from matchmaker.settings import Settings


def test_defaults_give_the_embedded_deployment(tmp_path: Path) -> None:
    settings = Settings.from_env({"MATCHMAKER_VAR_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'matchmaker.db'}"
    assert (settings.meili_url, settings.host, settings.port) == (None, "127.0.0.1", 8000)


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings.from_env({"MATCHMAKER_VAR_DIR": str(tmp_path)}).secret_key
    second = Settings.from_env({"MATCHMAKER_VAR_DIR": str(tmp_path)}).secret_key
    assert first == second
    assert (tmp_path / "secret_key").read_text() == first


def test_postgres_url_switches_to_the_psycopg_driver(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://u@db:5432/mm",
            "MATCHMAKER_VAR_DIR": str(tmp_path),
            "SECRET_KEY": "k",
            "MEILI_URL": "http://search:7700",
            "MATCHMAKER_PORT": "9000",
        }
    )
    assert settings.database_url == "postgresql+psycopg://u@db:5432/mm"
    assert (settings.meili_url, settings.port, settings.secret_key) == ("http://search:7700", 9000, "k")


def test_non_numeric_port_is_refused_with_a_chinese_message(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MATCHMAKER_PORT 必须是端口号"):
        Settings.from_env({"MATCHMAKER_PORT": "eighty", "MATCHMAKER_VAR_DIR": str(tmp_path)})
