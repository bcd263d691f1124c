"""Import profiles: a confirmed column mapping and value answers, kept per import kind and source.

The next file from the same source is recognised by its header (every column the profile names is in one of
the file's top rows) and previewed with the profile applied, so it needs no confirmation. A profile is named
(by default after the institution or the file's source) and can be chosen explicitly (``--profile NAME``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from matchmaker.domain.errors import FieldError, NotFound, ValidationFailed
from matchmaker.importing.columns import HEADER_SEARCH_ROWS
from matchmaker.importing.headers import normalise_header
from matchmaker.importing.kinds import KINDS
from matchmaker.importing.rows import Choices
from matchmaker.importing.rows import parse_decisions as parse_items
from matchmaker.importing.sheets import Sheet
from matchmaker.importing.values import value_key
from matchmaker.services.permissions import Actor
from matchmaker.storage import audit
from matchmaker.storage.models import ImportProfile, utcnow

if TYPE_CHECKING:
    from matchmaker.bootstrap import Services

NAME_MAX_CHARS = 100


@dataclass(frozen=True)
class Decisions:
    """What a person decided for one upload: columns (field → header) and answers (vocabulary → value → value)."""

    columns: Mapping[str, str] = field(default_factory=dict)
    answers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.columns or self.answers)


def parse_decisions(kind: str, maps: Sequence[str], values: Sequence[str]) -> Decisions:
    """``字段=列名`` and ``字段:原值=平台值`` items (the CLI's --map and --value); ``ValueError`` in Chinese."""
    columns, answers = parse_items(kind, maps, values)
    return Decisions(columns, answers)


def profiles(session: Session, kind: str) -> list[ImportProfile]:
    return list(
        session.exec(
            select(ImportProfile)
            .where(ImportProfile.kind == kind)
            .order_by(col(ImportProfile.updated_at).desc())
        )
    )


def get_profile(session: Session, kind: str, name: str) -> ImportProfile:
    found = session.exec(
        select(ImportProfile).where(ImportProfile.kind == kind, ImportProfile.name == name.strip())
    ).first()
    if found is None:
        names = "、".join(p.name for p in profiles(session, kind)) or "无"
        raise NotFound(f"没有名为「{name}」的{KINDS[kind].label}导入方案（已有：{names}）")
    return found


def matching_profile(
    session: Session, kind: str, sheet: Sheet, institution_id: int | None = None
) -> ImportProfile | None:
    """The profile whose every mapped header is in one of the sheet's top rows (own institution's first)."""
    rows = [
        {normalise_header(c) for c in row.cells if isinstance(c, str)}
        for row in sheet.rows[:HEADER_SEARCH_ROWS]
    ]
    fitting = [
        p
        for p in profiles(session, kind)
        if p.columns and any({normalise_header(h) for h in p.columns.values()} <= texts for texts in rows)
    ]
    fitting.sort(key=lambda p: p.institution_id != institution_id or institution_id is None)
    return fitting[0] if fitting else None


def choices_for(
    session: Session,
    kind: str,
    sheet: Sheet,
    *,
    decisions: Decisions | None = None,
    profile: str | None = None,
    institution_id: int | None = None,
) -> tuple[Choices, str | None]:
    """The choices a preview runs with: the named (or matching) profile, overlaid with this upload's
    decisions; and the name of the profile used."""
    if profile and decisions:  # a new profile is being made from these decisions
        stored = session.exec(
            select(ImportProfile).where(ImportProfile.kind == kind, ImportProfile.name == profile.strip())
        ).first()
    elif profile:
        stored = get_profile(session, kind, profile)
    else:
        stored = matching_profile(session, kind, sheet, institution_id)
    columns: dict[str, str] = dict(stored.columns) if stored else {}
    answers: dict[str, dict[str, str]] = {k: dict(v) for k, v in (stored.answers if stored else {}).items()}
    if decisions:
        columns.update(decisions.columns)
        for vocabulary, values in decisions.answers.items():
            answers.setdefault(vocabulary, {}).update({value_key(k): v for k, v in values.items()})
    reason = f"按导入方案「{stored.name}」" if stored and not decisions else "按您的指定"
    return Choices(columns, answers, reason), stored.name if stored else None


def save_profile(
    session: Session,
    actor: Actor,
    kind: str,
    name: str,
    decisions: Decisions,
    *,
    institution_id: int | None = None,
) -> ImportProfile:
    """Create or update the profile ``name`` of ``kind`` with the confirmed columns and answers (audited)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed([FieldError("profile", "请填写导入方案名称，如单位或来源系统的名称")])
    if len(name) > NAME_MAX_CHARS:
        raise ValidationFailed([FieldError("profile", f"导入方案名称不能超过 {NAME_MAX_CHARS} 个字")])
    stored = session.exec(
        select(ImportProfile).where(ImportProfile.kind == kind, ImportProfile.name == name)
    ).first()
    answers = {k: {value_key(a): b for a, b in v.items()} for k, v in decisions.answers.items()}
    if stored is None:
        stored = ImportProfile(
            kind=kind,
            name=name,
            columns=dict(decisions.columns),
            answers=answers,
            institution_id=institution_id,
            created_by=actor.id,
        )
        action = "create"
    else:
        merged = {k: dict(v) for k, v in stored.answers.items()}
        for vocabulary, values in answers.items():
            merged.setdefault(vocabulary, {}).update(values)
        stored.columns = {**stored.columns, **decisions.columns}
        stored.answers = merged
        stored.updated_at = utcnow()
        action = "update"
    session.add(stored)
    session.flush()
    assert stored.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="import_profile",
        entity_id=stored.id,
        action=action,
        new=f"{KINDS[kind].label}导入方案「{name}」",
    )
    return stored


def vocabulary_of(field_name: str) -> str:
    """The vocabulary a field's values come from (a question's answer is kept under it)."""
    for kind in KINDS.values():
        for spec in kind.fields:
            if spec.name == field_name and spec.vocabulary:
                return spec.vocabulary
    raise ValidationFailed([FieldError("answer", f"字段 {field_name} 没有固定取值")])


def decisions_params(decisions: Decisions | None, profile: str | None = None) -> dict[str, object]:
    """Decisions (and a profile name to save them under) as a job's JSON params."""
    params: dict[str, object] = {}
    if decisions:
        params["decisions"] = {
            "columns": dict(decisions.columns),
            "answers": {k: dict(v) for k, v in decisions.answers.items()},
        }
    if profile:
        params["save_profile"] = profile
    return params


def decisions_from_params(params: Mapping[str, object]) -> Decisions | None:
    raw = params.get("decisions")
    if not isinstance(raw, Mapping):
        return None
    return Decisions(dict(raw.get("columns", {})), {k: dict(v) for k, v in raw.get("answers", {}).items()})


def remember(
    services: Services, actor: Actor, kind: str, report: object, params: Mapping[str, object]
) -> str | None:
    """After a preview job: save the confirmed mapping as the profile named in ``params`` (the mapping step's
    ticked box), unless a required column is still missing. Returns the saved name."""
    name = params.get("save_profile")
    if not isinstance(name, str) or not name.strip() or getattr(report, "needs_mapping", True):
        return None
    decisions = decisions_from_params(params) or Decisions()
    with services.transaction() as session:
        saved = save_profile(
            session,
            actor,
            kind,
            name,
            Decisions(dict(getattr(report, "mapping", ())), decisions.answers),
            institution_id=actor.institution_id,
        )
        return saved.name


def saved_note(name: str | None) -> str:
    return f"已保存导入方案「{name}」，下次同一来源的文件会自动按此对应。" if name else ""
