"""Import kinds as declarations: which fields a kind has, which are required, how each is recognised.

One declaration per kind is all a new import needs on the reading side (docs/imports.md): header synonyms
come from ``seed/headers.json`` under the kind's name, controlled values from ``seed/values.json`` under a
field's ``vocabulary``, and ``content`` names a recogniser (``importing.recognisers``) that finds or confirms
the column by its values when the header wording is new.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    """One field of an import kind.

    ``unit`` is the unit the validator reads (元 or 万元): a column whose header or note row says otherwise is
    converted exactly. ``identifying`` fields are shown beside each error so a person finds the row.
    """

    name: str
    label: str
    required: bool = False
    content: str | None = None
    vocabulary: str | None = None
    unit: str | None = None
    identifying: bool = False


@dataclass(frozen=True)
class ImportKind:
    """``alternatives``: groups of fields of which one column is enough (合同成交额 in 元 or in 万元)."""

    name: str
    label: str
    fields: tuple[FieldSpec, ...]
    alternatives: tuple[tuple[str, ...], ...] = ()

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def labels(self) -> dict[str, str]:
        return {spec.name: spec.label for spec in self.fields}

    def required_groups(self, optional: frozenset[str] = frozenset()) -> list[tuple[str, ...]]:
        """Each required field alone, or its alternatives group; ``optional`` drops some (a default given)."""
        groups: list[tuple[str, ...]] = []
        seen: set[str] = set()
        for spec in self.fields:
            if not spec.required or spec.name in optional or spec.name in seen:
                continue
            group = next((g for g in self.alternatives if spec.name in g), (spec.name,))
            seen.update(group)
            groups.append(group)
        return groups


OFFER = ImportKind(
    "offer",
    "专利成果",
    (
        FieldSpec("title", "专利名称", required=True, content="patent_title", identifying=True),
        FieldSpec(
            "application_number", "申请号", required=True, content="application_number", identifying=True
        ),
        FieldSpec("patent_type", "专利类型", vocabulary="patent_type"),
        FieldSpec("legal_status", "法律状态", vocabulary="legal_status"),
        FieldSpec("ipc", "IPC分类号"),
        FieldSpec("inventors", "发明人"),
        FieldSpec("institution", "权利人", required=True, content="institution"),
        FieldSpec("transfer_modes", "转化方式", vocabulary="transfer_modes"),
        FieldSpec("price_wan", "意向价格", unit="万元"),
        FieldSpec("trl", "技术成熟度"),
        FieldSpec("field", "所属领域", vocabulary="field"),
        FieldSpec("contact_name", "联系人"),
        FieldSpec("contact_phone", "联系电话"),
        FieldSpec("abstract", "摘要"),
        FieldSpec("claims", "权利要求"),
    ),
)

CONTRACT = ImportKind(
    "contract",
    "技术合同",
    (
        FieldSpec(
            "registration_number",
            "合同登记编号",
            required=True,
            content="registration_number",
            identifying=True,
        ),
        FieldSpec("title", "项目名称", required=True, identifying=True),
        FieldSpec("contract_type", "合同类型", required=True, vocabulary="contract_type"),
        FieldSpec("seller", "卖方名称", required=True),
        FieldSpec("buyer", "买方名称", required=True),
        FieldSpec("buyer_credit_code", "买方统一社会信用代码", required=True, content="credit_code"),
        FieldSpec("amount_yuan", "合同成交额（元）", required=True, content="amount", unit="元"),
        FieldSpec("amount_wan", "合同成交额（万元）", required=True, unit="万元"),
        FieldSpec("technology_amount_yuan", "技术交易额（元）", unit="元"),
        FieldSpec("signed_on", "合同签订日期", required=True, content="date"),
        FieldSpec("registered_on", "登记日期", required=True, content="date"),
        FieldSpec("validity", "合同有效期限"),
        FieldSpec("field", "技术领域"),
        FieldSpec("town", "所在镇（街道）"),
    ),
    alternatives=(("amount_yuan", "amount_wan"),),
)

NEED = ImportKind(
    "need",
    "技术需求",
    (
        FieldSpec("company_name", "企业名称", required=True, identifying=True),
        FieldSpec("credit_code", "统一社会信用代码", required=True, content="credit_code", identifying=True),
        FieldSpec("title", "需求名称", required=True, identifying=True),
        FieldSpec("description", "需求描述", required=True),
        FieldSpec("expected_outcome", "预期成果"),
        FieldSpec("field", "所属领域", vocabulary="field"),
        FieldSpec("budget_wan", "预算", unit="万元"),
        FieldSpec("coop_modes", "合作方式", vocabulary="coop_modes"),
        FieldSpec("deadline", "截止日期", content="date"),
        FieldSpec("contact_name", "联系人"),
        FieldSpec("contact_phone", "联系电话"),
        FieldSpec("town", "所在镇（街道）"),
    ),
)

COMPANY = ImportKind(
    "company",
    "企业名录",
    (
        FieldSpec("name", "企业名称", required=True, identifying=True),
        FieldSpec("credit_code", "统一社会信用代码", required=True, content="credit_code", identifying=True),
        FieldSpec("town", "所在镇（街道）", required=True),
        FieldSpec("field", "所属领域", required=True, vocabulary="field"),
        FieldSpec("description", "企业简介"),
    ),
)

KINDS: dict[str, ImportKind] = {kind.name: kind for kind in (OFFER, CONTRACT, NEED, COMPANY)}


def register_kind(kind: ImportKind) -> ImportKind:
    """Add a kind declared elsewhere (e.g. a pledge register); its headers must be in ``seed/headers.json``."""
    KINDS[kind.name] = kind
    return kind
