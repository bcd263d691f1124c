"""Reference data kept as files in ``seed/``: industry fields, towns and parks, contract technology fields."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Reference:
    fields: tuple[str, ...]
    towns: tuple[str, ...]
    contract_fields: tuple[str, ...]
    #: contract technology field → closest industry field, for charts that mix the two
    contract_field_to_industry: dict[str, str]


def _names(path: Path, key: str | None = None) -> list[dict]:  # type: ignore[type-arg]
    data = json.loads(path.read_text(encoding="utf-8"))
    items = data[key] if key and isinstance(data, dict) else data
    return items if isinstance(items, list) else []


@lru_cache(maxsize=4)
def load_reference(seed_dir: Path) -> Reference:
    fields = [item["name"] for item in _names(seed_dir / "fields.json", "fields")]
    towns = [item["name"] for item in _names(seed_dir / "towns.json", "towns")]
    contract_path = seed_dir / "contract_fields.json"
    contract_items = _names(contract_path, "contract_fields") if contract_path.exists() else []
    return Reference(
        fields=tuple(fields),
        towns=tuple(towns),
        contract_fields=tuple(item["name"] for item in contract_items),
        contract_field_to_industry={item["name"]: item.get("field", "") for item in contract_items},
    )
