"""The repository stands alone: nothing the tests, the README or the CLI need lives beside the checkout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_GUARDS = {
    Path(__file__).resolve(),
    ROOT / "tests" / "conftest.py",
}  # they name the shared folder to refuse it


def test_opening_a_file_beside_the_checkout_fails() -> None:
    """The audit hook in conftest turns a read of ../anything into an error, whether or not the file exists."""
    with pytest.raises(PermissionError, match="inside the checkout"):
        (ROOT.parent / "shared" / "samples" / "README.md").open(encoding="utf-8")


def test_files_inside_the_checkout_open() -> None:
    assert (ROOT / "samples" / "tto_offers.xlsx").stat().st_size > 0
    with (ROOT / "eval" / "qrels.tsv").open(encoding="utf-8") as f:
        assert f.readline().split("\t")[0] == "need_id"


@pytest.mark.parametrize("folder", ["matchmaker", "tests", "bench", "scripts", "docs"])
def test_no_path_reaches_beside_the_checkout(folder: str) -> None:
    """Code, docs and scripts name no ``../shared`` path (samples/ and eval/ are inside the project)."""
    offenders = []
    for path in (ROOT / folder).rglob("*"):
        if path.suffix not in {".py", ".md", ".sh", ""} or not path.is_file() or path in _GUARDS:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if re.search(r"\.\./shared\b|parent\s*/\s*\"shared\"", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
