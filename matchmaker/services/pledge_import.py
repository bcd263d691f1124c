"""Bulk import of a pledge register: preview (writes nothing), then commit the valid rows in one transaction.

Duplicates are judged against the stored register and the earlier rows of the file, so importing the same
export twice adds nothing. Every stored row is audited as created by the importing user, in the same
transaction: if one insert fails, nothing is stored. The web UI keeps the upload in the imports' one store
(``services.import_uploads``); the commit reads it again and re-checks it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from matchmaker.importing.pledges import PLEDGE, ExistingPledges, PledgeImportReport, preview_pledges
from matchmaker.importing.sheets import read_sheet
from matchmaker.services import import_profiles, pledges
from matchmaker.services.import_profiles import Decisions
from matchmaker.services.permissions import Actor, authorize
from matchmaker.services.reference import Reference
from matchmaker.storage.models import Pledge

KIND = PLEDGE.name


def _existing(session: Session, numbers: set[str]) -> ExistingPledges:
    found: dict[str, str] = {}
    chunk = sorted(numbers)
    for start in range(0, len(chunk), 500):
        stmt = select(Pledge.registration_number, Pledge.id).where(
            col(Pledge.registration_number).in_(chunk[start : start + 500])
        )
        for number, pledge_id in session.exec(stmt):
            found[number] = f"已登记质押 #{pledge_id}"
    return ExistingPledges(found)


def preview(
    session: Session,
    reference: Reference,
    data: bytes,
    filename: str,
    *,
    max_bytes: int | None = None,
    decisions: Decisions | None = None,
    profile: str | None = None,
) -> PledgeImportReport:
    """Every row as valid / error / duplicate with the exact secured total of the valid rows; nothing is
    written. ``decisions`` (columns chosen in the mapping step) and ``profile`` as for the other imports."""
    sheet = read_sheet(data, filename, **({"max_bytes": max_bytes} if max_bytes else {}))
    choices, used = import_profiles.choices_for(session, KIND, sheet, decisions=decisions, profile=profile)
    args: dict[str, Any] = dict(towns=reference.towns, fields=reference.fields, choices=choices)
    first = preview_pledges(sheet, existing=ExistingPledges(), **args)
    numbers = {r.draft.registration_number for r in first.results if r.draft is not None}
    return preview_pledges(sheet, existing=_existing(session, numbers), profile=used, **args)


def commit(session: Session, actor: Actor, report: PledgeImportReport) -> int:
    """Store the report's valid rows in the caller's transaction, each audited as created by ``actor``."""
    authorize(actor, "pledge.manage")
    stored = 0
    for result in report.results:
        if result.status != "valid" or result.draft is None:
            continue
        pledge = pledges.new_pledge(pledges.resolve(session, result.draft), actor)
        session.add(pledge)
        session.flush()
        pledges.audit_created(session, actor, pledge, note=f"导入 {report.filename} 第{result.row}行")
        stored += 1
    return stored


def rows_for_display(report: PledgeImportReport) -> list[dict[str, Any]]:
    """The preview table: one line per row with its status, reasons and amount in 元."""
    labels = {"valid": "可导入", "error": "有误", "duplicate": "重复"}
    rows = []
    for r in report.results:
        d = r.draft
        rows.append(
            {
                "row": r.row,
                "status": r.status,
                "status_label": labels[r.status],
                "registration_number": d.registration_number if d else "",
                "pledgor": d.pledgor_name if d else "",
                "pledgee": d.pledgee_name if d else "",
                "patents": len(d.patents) if d else "",
                "pledge_status": d.status if d else "",
                "amount_yuan": format(d.amount_yuan, "f") if d else "",
                "identity": "，".join(f"{label}：{value}" for label, value in r.identity) if not d else "",
                "reasons": [e.message for e in r.errors]
                + ([f"与{r.duplicate_of}重复"] if r.duplicate_of else [])
                + list(r.warnings),
            }
        )
    return rows


def document(report: PledgeImportReport, chosen: dict[str, str] | None = None) -> dict[str, Any]:
    """What the preview page shows, with the columns chosen in the mapping step."""
    return {
        "chosen": chosen or {},
        "filename": report.filename,
        "summary": report.to_json(committed=0),
        "rows": rows_for_display(report),
        "columns": [
            {"letter": c.letter, "header": c.header, "label": c.label or "（不导入）", "reason": c.reason}
            for c in report.columns
        ],
        "headers": [c.header for c in report.columns if c.header],
        "mapping": dict(report.mapping),
        "missing": list(report.missing),
        "notes": list(report.notes),
    }
