"""Bulk import of technology needs (企业技术需求征集表) and of a company directory, by the bureau or an admin.

Preview writes nothing; commit stores every valid row or none (one transaction), each row audited as created
by the importing user with note 表格导入. A need of a company not yet on the platform creates the company in
the same transaction; companies are matched by 统一社会信用代码 only. Re-importing a file adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from matchmaker.domain.companies import CompanyDraft
from matchmaker.importing.directory import KnownCompanies, NeedRow, preview_companies, preview_needs
from matchmaker.importing.report import ImportReport
from matchmaker.importing.sheets import read_sheet
from matchmaker.services import import_profiles, import_uploads, jobs
from matchmaker.services.import_profiles import Decisions
from matchmaker.services.needs import store_need
from matchmaker.services.permissions import Actor, authorize
from matchmaker.storage import audit
from matchmaker.storage.models import Company, Need

if TYPE_CHECKING:
    from matchmaker.bootstrap import Services

IMPORT_NOTE = "表格导入"

NeedReport = ImportReport[NeedRow]
CompanyReport = ImportReport[CompanyDraft]


def known_companies(session: Session) -> KnownCompanies:
    """Every stored company by credit code, and the titles of each one's needs (for duplicates)."""
    by_code = {
        code: (cid, name)
        for cid, code, name in session.exec(select(Company.id, Company.credit_code, Company.name))
        if cid is not None
    }
    code_of = {cid: code for code, (cid, _name) in by_code.items()}
    titles: dict[str, list[str]] = {}
    for company_id, title in session.exec(select(Need.company_id, Need.title)):
        titles.setdefault(code_of.get(company_id, ""), []).append(title)
    return KnownCompanies(by_code, titles)


def preview(
    services: Services,
    actor: Actor,
    kind: str,
    data: bytes,
    filename: str,
    *,
    decisions: Decisions | None = None,
    profile: str | None = None,
    today: date | None = None,
) -> NeedReport | CompanyReport:
    """``kind`` is ``need`` or ``company``; nothing is written. Same contract as ``offer_import.preview``."""
    with services.session() as session:
        authorize(actor, "directory.import")
        sheet = read_sheet(data, filename, max_bytes=services.settings.max_upload_bytes)
        choices, used = import_profiles.choices_for(
            session, kind, sheet, decisions=decisions, profile=profile
        )
        reference = services.reference
        known = known_companies(session)
        if kind == "company":
            return preview_companies(
                sheet,
                towns=reference.towns,
                fields=reference.fields,
                known=known,
                choices=choices,
                profile=used,
            )
        return preview_needs(
            sheet,
            towns=reference.towns,
            fields=reference.fields,
            today=today or date.today(),
            known=known,
            choices=choices,
            profile=used,
        )


def commit(
    services: Services,
    actor: Actor,
    report: NeedReport | CompanyReport,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Store the valid rows in one transaction; rows whose company or need appeared meanwhile are skipped."""
    step = progress or (lambda _n: None)
    stored = 0
    with services.transaction() as session:
        authorize(actor, "directory.import")
        known = known_companies(session)
        ids = {code: cid for code, (cid, _name) in known.by_code.items()}
        for result in report.results:
            if result.status != "valid" or result.draft is None:
                continue
            draft = result.draft
            if isinstance(draft, CompanyDraft):
                if draft.credit_code in ids:
                    continue
                ids[draft.credit_code] = _store_company(session, actor, draft)
            else:
                company_id = ids.get(draft.credit_code)
                if company_id is None:
                    assert draft.company is not None
                    company_id = ids[draft.credit_code] = _store_company(session, actor, draft.company)
                if draft.need.title in known.need_titles.get(draft.credit_code, ()):
                    continue
                store_need(session, actor, company_id, draft.need, note=IMPORT_NOTE)
            stored += 1
            step(1)
    return stored


def _store_company(session: Session, actor: Actor, draft: CompanyDraft) -> int:
    company = Company(
        name=draft.name,
        credit_code=draft.credit_code,
        town=draft.town,
        field=draft.field,
        description=draft.description,
    )
    session.add(company)
    session.flush()
    assert company.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="company",
        entity_id=company.id,
        action="create",
        new=f"{company.name}（{company.credit_code}）",
        note=IMPORT_NOTE,
    )
    return company.id


# --- as jobs (docs/jobs.md): the upload, the mapping step and 确认导入 answer at once; a worker does the work ----

PREVIEW_KIND = "directory_import_preview"
COMMIT_KIND = "directory_import_commit"
LABELS = {"need": "技术需求", "company": "企业名录"}
SLUGS = {"need": "needs", "company": "companies"}


def submit_preview(
    services: Services,
    actor: Actor,
    kind: str,
    data: bytes,
    filename: str,
    decisions: Decisions | None = None,
    profile: str | None = None,
) -> int:
    """Queue the preview of an uploaded 征集表 or directory; permission is checked here too."""
    authorize(actor, "directory.import")
    params = {"kind": kind, "filename": filename, **import_profiles.decisions_params(decisions, profile)}
    return jobs.submit(
        services, actor, PREVIEW_KIND, f"{LABELS[kind]}导入预览：{filename}", params, input=data
    )


@jobs.kind(PREVIEW_KIND, needs_input=True)
def _run_preview(services: Services, job: jobs.JobRun) -> dict[str, object]:
    assert job.input is not None
    kind, filename = job.params["kind"], job.params["filename"]
    decisions = import_profiles.decisions_from_params(job.params)
    report = preview(services, job.actor, kind, job.input, filename, decisions=decisions)
    job.progress(rows_read=len(report.results))
    saved = import_profiles.remember(services, job.actor, kind, report, job.params)
    token = import_uploads.save(
        services.settings.var_dir, job.actor, kind, filename, job.input, report, decisions
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
        "url": f"/import/{SLUGS[kind]}/{token}",
        "url_label": "查看预览并确认导入",
        "token": token,
    }


def submit_commit(services: Services, actor: Actor, kind: str, token: str) -> int:
    stored = import_uploads.load(services.settings.var_dir, actor, kind, token)  # the uploader's only
    authorize(actor, "directory.import")
    return jobs.submit(
        services, actor, COMMIT_KIND, f"{LABELS[kind]}导入：{stored.filename}", {"kind": kind, "token": token}
    )


@jobs.kind(COMMIT_KIND)
def _run_commit(services: Services, job: jobs.JobRun) -> dict[str, object]:
    """The file is checked again (with the confirmed mapping) just before the one committing transaction."""
    kind, token = job.params["kind"], job.params["token"]
    stored = import_uploads.load(services.settings.var_dir, job.actor, kind, token)
    report = preview(
        services, job.actor, kind, stored.data, stored.filename, decisions=stored.decisions or None
    )
    job.progress(rows_read=len(report.results), rows_written=0)
    committed = commit(services, job.actor, report, progress=lambda n: job.add(rows_written=n))
    import_uploads.discard(services.settings.var_dir, kind, token)
    noun = "条技术需求" if kind == "need" else "家企业"
    return {
        "message": f"已从 {stored.filename} 导入 {committed} {noun}",
        "url": "/needs" if kind == "need" else f"/import/{SLUGS[kind]}",
        "url_label": "查看技术需求" if kind == "need" else "继续导入",
        "committed": committed,
    }
