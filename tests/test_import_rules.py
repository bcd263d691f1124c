"""Imports point inward (docs/ARCHITECTURE.md): pages and commands call services, services never reach back into
the web layer, and the pure packages touch neither the database nor the web. Read from the source with ``ast``, so
an import inside a function or under ``TYPE_CHECKING`` counts like any other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "matchmaker"

DATABASE = ("matchmaker.storage", "sqlmodel", "sqlalchemy", "alembic")
WEB = ("matchmaker.web", "starlette", "jinja2")
PURE = ("domain", "importing", "matching", "scheduling")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, root: Path = ROOT) -> list[str]:
    """Every module a file imports, relative imports resolved against its package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            stem = ".".join([*base, node.module] if node.module else base)
            found.append(stem)
            found.extend(f"{stem}.{alias.name}" for alias in node.names)
    return found


def violations(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files
        for name in set(imported_modules(path))
        if any(name == bad or name.startswith(bad + ".") for bad in forbidden)
    )


def files_under(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (PACKAGE / folder).rglob("*.py"))


def test_the_rule_reads_every_form_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "matchmaker" / "web" / "pages" / "sample.py"
    sample.parent.mkdir(parents=True)
    sample.write_text(
        "import sqlmodel\n"
        "from ...storage import models\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from matchmaker.storage.models import User\n"
        "def f():\n    from sqlalchemy import func\n",
        encoding="utf-8",
    )
    names = imported_modules(sample, tmp_path)
    assert names[0] == "sqlmodel"
    assert "matchmaker.storage.models" in names
    assert "matchmaker.storage.models.User" in names
    assert "sqlalchemy.func" in names


@pytest.mark.parametrize("folder", PURE)
def test_pure_packages_touch_neither_the_database_nor_the_web(folder: str) -> None:
    assert (
        violations(files_under(folder), DATABASE + WEB + ("matchmaker.services", "matchmaker.bootstrap"))
        == []
    )


def test_services_never_import_the_web_layer() -> None:
    assert violations(files_under("services"), WEB) == []


def test_storage_and_search_never_import_services_or_the_web() -> None:
    assert (
        violations(files_under("storage", "search"), WEB + ("matchmaker.services", "matchmaker.bootstrap"))
        == []
    )


def test_pages_and_commands_reach_the_database_only_through_services() -> None:
    """``web/`` and ``cli.py`` hold no query: they open a unit of work (``services.session()`` /
    ``services.transaction()``) and hand it to services, which alone know the tables."""
    assert violations([*files_under("web"), PACKAGE / "cli.py"], DATABASE) == []
