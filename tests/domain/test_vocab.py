"""Each status set has one name, in ``domain/vocab.py``; other modules import it rather than spell it again."""

import ast
from pathlib import Path

from matchmaker.domain import vocab

PACKAGE = Path(__file__).resolve().parents[2] / "matchmaker"
NAMED_SETS = {
    "OPEN_NEED_STATUSES": vocab.OPEN_NEED_STATUSES,
    "PUBLISHED_OFFER_STATUSES": vocab.PUBLISHED_OFFER_STATUSES,
    "PUBLIC_OFFER_STATUSES": vocab.PUBLIC_OFFER_STATUSES,
}


def test_named_status_sets_are_statuses_of_their_record() -> None:
    assert set(vocab.OPEN_NEED_STATUSES) <= set(vocab.NEED_STATUSES)
    assert (
        set(vocab.PUBLISHED_OFFER_STATUSES) <= set(vocab.PUBLIC_OFFER_STATUSES) <= set(vocab.OFFER_STATUSES)
    )


def test_no_module_spells_a_named_status_set_again() -> None:
    spelled = sorted(
        f"{path.relative_to(PACKAGE)}:{node.lineno} spells {name}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "vocab.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Tuple) and len(node.elts) > 1
        for name, values in NAMED_SETS.items()
        if all(isinstance(e, ast.Constant) for e in node.elts) and tuple(e.value for e in node.elts) == values  # type: ignore[attr-defined]
    )
    assert spelled == []
