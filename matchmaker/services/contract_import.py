"""Bulk import of registered contracts: preview (writes nothing), then commit the valid rows in one transaction.

Duplicates are judged against the stored contracts and earlier rows of the file (``importing.contracts``),
so importing the same export twice adds nothing. Every stored row is audited as created by the importing
user, in the same transaction as the rows themselves: if one insert fails, nothing is stored.

The web UI keeps the uploaded file and its preview with ``import_uploads``; the commit reads the file again
(with the confirmed mapping) and re-checks it, so a contract registered meanwhile is reported as a duplicate
rather than stored twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from matchmaker.domain.errors import FieldError
from matchmaker.importing.contracts import ExistingContracts, preview_contracts
from matchmaker.importing.report import ContractImportReport, RowResult
from matchmaker.importing.sheets import read_sheet
from matchmaker.services import contracts, import_profiles, import_uploads, institutions, jobs
from matchmaker.services.import_profiles import Decisions
from matchmaker.services.permissions import Actor, authorize
from matchmaker.services.reference import Reference
from matchmaker.storage.models import Contract

if TYPE_CHECKING:
    from matchmaker.bootstrap import Services

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _existing(session: Session, numbers: set[str]) -> ExistingContracts:
    """Stored contracts among ``numbers`` only — never the whole table, which may hold a million rows."""
    found: dict[str, str] = {}
    chunk = sorted(numbers)
    for start in range(0, len(chunk), 500):
        stmt = select(Contract.registration_number, Contract.id).where(
            col(Contract.registration_number).in_(chunk[start : start + 500])
        )
        for number, contract_id in session.exec(stmt):
            found[number] = f"已登记合同 #{contract_id}"
    return ExistingContracts(found)


def preview(
    session: Session,
    reference: Reference,
    data: bytes,
    filename: str,
    *,
    max_bytes: int | None = None,
    max_rows: int | None = None,
    decisions: Decisions | None = None,
    profile: str | None = None,
) -> ContractImportReport:
    """Every row as valid / error / duplicate, with the exact total of the valid rows; nothing is written.
    ``decisions`` and ``profile`` as in ``offer_import.preview``."""
    limits = {"max_bytes": max_bytes} if max_bytes else {}
    sheet = read_sheet(data, filename, **limits, **({"max_rows": max_rows} if max_rows else {}))
    normalizer = institutions.normalizer(session)
    choices, used = import_profiles.choices_for(
        session, "contract", sheet, decisions=decisions, profile=profile
    )
    first = preview_contracts(
        sheet, normalizer=normalizer, towns=reference.towns, existing=ExistingContracts(), choices=choices
    )
    numbers = {r.draft.registration_number for r in first.results if r.draft is not None}
    report = preview_contracts(
        sheet,
        normalizer=normalizer,
        towns=reference.towns,
        existing=_existing(session, numbers),
        choices=choices,
        profile=used,
    )
    return replace(report, results=tuple(_party_check(session, reference, r) for r in report.results))


def _party_check(session: Session, reference: Reference, result: RowResult[Any]) -> RowResult[Any]:
    """A valid row whose seller is no institution (and whose buyer is none either) becomes an error row."""
    if result.status != "valid" or result.draft is None:
        return result
    *_, errors = contracts.resolve_parties(session, result.draft, strict=False)
    draft = result.draft
    if draft.field and reference.contract_fields and draft.field not in reference.contract_fields:
        errors.append(FieldError("field", f"技术领域「{draft.field}」不在合同技术领域列表中"))
    return replace(result, status="error", errors=tuple(errors)) if errors else result


def commit(
    session: Session,
    actor: Actor,
    report: ContractImportReport,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Store the report's valid rows in the caller's transaction, each audited as created by ``actor``."""
    authorize(actor, "contract.manage")
    stored = 0
    for result in report.results:
        if result.status != "valid" or result.draft is None:
            continue
        seller_id, company_id, errors = contracts.resolve_parties(session, result.draft, strict=False)
        assert not errors, errors  # checked by preview in this same session
        contract = contracts.new_contract(
            contracts.Resolved(result.draft, seller_id, company_id, {name: None for name in contracts.LINKS}),
            actor,
        )
        session.add(contract)
        session.flush()
        contracts.audit_created(session, actor, contract, note=f"导入 {report.filename} 第{result.row}行")
        stored += 1
        if progress is not None:
            progress(1)
    return stored


def rows_for_display(report: ContractImportReport) -> list[dict[str, Any]]:
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
                "title": d.title if d else "",
                "seller": d.seller_name if d else "",
                "buyer": d.buyer_name if d else "",
                "amount_yuan": format(d.amount_yuan, "f") if d else "",
                "identity": r.identity if d is None else (),
                "reasons": [e.message for e in r.errors]
                + ([f"与{r.duplicate_of}重复"] if r.duplicate_of else [])
                + list(r.warnings),
            }
        )
    return rows


# --- as jobs (docs/jobs.md): the upload and 确认导入 answer at once; a worker previews and commits -------------

PREVIEW_KIND = "contract_import_preview"
COMMIT_KIND = "contract_import_commit"


def submit_preview(
    services: Services,
    actor: Actor,
    data: bytes,
    filename: str,
    decisions: Decisions | None = None,
    profile: str | None = None,
) -> int:
    """Queue the preview (with the mapping step's ``decisions``, saved as profile ``profile`` when given)."""
    authorize(actor, "contract.manage")
    params = {"filename": filename, **import_profiles.decisions_params(decisions, profile)}
    return jobs.submit(services, actor, PREVIEW_KIND, f"技术合同导入预览：{filename}", params, input=data)


def _preview_in(
    session: Session, services: Services, data: bytes, filename: str, decisions: Decisions | None = None
) -> ContractImportReport:
    return preview(
        session,
        services.reference,
        data,
        filename,
        max_bytes=services.settings.max_upload_bytes,
        max_rows=services.settings.max_import_rows,
        decisions=decisions,
    )


@jobs.kind(PREVIEW_KIND, needs_input=True)
def _run_preview(services: Services, job: jobs.JobRun) -> dict[str, Any]:
    authorize(job.actor, "contract.manage")
    assert job.input is not None
    filename = job.params["filename"]
    decisions = import_profiles.decisions_from_params(job.params)
    with services.session() as session:
        report = _preview_in(session, services, job.input, filename, decisions)
    job.progress(rows_read=len(report.results))
    saved = import_profiles.remember(services, job.actor, "contract", report, job.params)
    token = import_uploads.save(
        services.settings.var_dir, job.actor, "contract", filename, job.input, report, decisions
    )
    counts = {s: len(report.with_status(s)) for s in ("valid", "error", "duplicate")}
    checked = (
        f"有必填字段没有找到对应的列（{'、'.join(report.missing)}），请在预览中指定。"
        if report.needs_mapping
        else f"已检查 {len(report.results)} 行：可导入 {counts['valid']} 行，有误 {counts['error']} 行，"
        f"重复 {counts['duplicate']} 行。请查看预览后确认导入。"
    )
    return {
        "message": import_profiles.saved_note(saved) + checked,
        "url": f"/contracts/import/{token}",
        "url_label": "查看预览并确认导入",
        "token": token,
    }


def submit_commit(services: Services, actor: Actor, token: str) -> int:
    stored = import_uploads.load(services.settings.var_dir, actor, "contract", token)  # the uploader's only
    return jobs.submit(services, actor, COMMIT_KIND, f"技术合同导入：{stored.filename}", {"token": token})


@jobs.kind(COMMIT_KIND)
def _run_commit(services: Services, job: jobs.JobRun) -> dict[str, Any]:
    """The file is checked again (with the confirmed mapping) in the committing transaction, so a contract
    registered meanwhile is reported as a duplicate, not stored twice."""
    token = job.params["token"]
    stored = import_uploads.load(services.settings.var_dir, job.actor, "contract", token)
    with services.transaction() as session:
        report = _preview_in(session, services, stored.data, stored.filename, stored.decisions or None)
        job.progress(rows_read=len(report.results), rows_written=0)
        committed = commit(session, job.actor, report, progress=lambda n: job.add(rows_written=n))
    import_uploads.discard(services.settings.var_dir, "contract", token)
    return {
        "message": f"已导入 {committed} 份技术合同，合同成交额合计 {report.total_yuan:,.2f} 元"
        f"；{len(report.with_status('duplicate'))} 行重复、{len(report.with_status('error'))} 行有误，未导入",
        "url": "/contracts",
        "url_label": "查看技术合同",
        "committed": committed,
    }
