"""Spreadsheet import of offers: preview (nothing written), then commit the valid rows in ONE transaction.

The pure work (reading, header synonyms, validation, duplicates within the file) is ``matchmaker.importing``;
this module adds what needs the database and the actor:

- ``existing`` comes from the stored offers, so a second import of the same file finds every row again;
- a researcher's upload may only add offers of their own institution (``only_institution``), admins and the
  operator at the command line (``Actor.system()``) any;
- a commit stores every valid row or none, each audited as created by the importing user with note 表格导入;
  probable duplicates (near-identical titles) are stored only when a person confirmed their row;
- a preview waiting for the person's 确认导入 is kept with its file under ``var/imports/offer/`` (``import_uploads``) keyed by a random id (never in the
  cookie), readable only by the user who uploaded it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from matchmaker.domain.errors import FieldError, PermissionDenied, ValidationFailed
from matchmaker.domain.offers import OfferDraft
from matchmaker.importing.offers import ExistingOffers, preview_offers
from matchmaker.importing.report import ImportReport
from matchmaker.importing.sheets import read_sheet
from matchmaker.services import import_profiles, import_uploads, institutions, jobs
from matchmaker.services.changes import announce
from matchmaker.services.import_profiles import Decisions
from matchmaker.services.offers import INITIAL_STATUSES, can_read, offer_columns, record_creation
from matchmaker.services.permissions import Actor, allowed, authorize
from matchmaker.storage.models import Institution, Offer

if TYPE_CHECKING:
    from matchmaker.bootstrap import Services

IMPORT_NOTE = "表格导入"
#: How an offer the importer may not see is named in a duplicate message.
HIDDEN_REF = "平台已登记的专利"

OfferReport = ImportReport[OfferDraft]


def existing_offers(session: Session, actor: Actor) -> ExistingOffers:
    """Every stored offer, whatever its status, as the preview compares against: patent key → 「成果 #id」 and
    per institution its titles. An offer ``actor`` may not read (another institution's draft) is named only as
    「平台已登记的专利」: its number still counts as taken, its title and link stay hidden."""
    by_key: dict[str, str] = {}
    titles: dict[str, list[tuple[str, str]]] = {}
    stmt = select(Offer, Institution.canonical_name).join(
        Institution, col(Institution.id) == Offer.institution_id
    )
    for offer, institution in session.exec(stmt):
        key, title = offer.patent_key, offer.title
        if not can_read(actor, offer):
            by_key[key] = HIDDEN_REF
            continue
        ref = f"已有成果 #{offer.id}「{title}」"
        by_key[key] = ref
        titles.setdefault(institution, []).append((title, ref))
    return ExistingOffers(by_patent_key=by_key, titles_by_institution=titles)


def _import_scope(session: Session, actor: Actor) -> str | None:
    """The one institution ``actor`` may import for (its canonical name), or None for any."""
    if allowed(actor, "offer.import_any"):
        return None
    authorize(actor, "offer.import")
    institution = session.get(Institution, actor.institution_id) if actor.institution_id else None
    if institution is None:
        raise PermissionDenied("您的账号没有绑定单位，不能导入专利成果")
    return institution.canonical_name


def preview(
    services: Services,
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    default_institution: str | None = None,
    decisions: Decisions | None = None,
    profile: str | None = None,
) -> OfferReport:
    """Read and check a spreadsheet; nothing is written. Raises ``ImportFileError`` for a file that cannot be
    read at all (not a spreadsheet, empty, too big, no header).

    ``decisions`` are this upload's column mapping and value answers; ``profile`` names a saved import
    profile, otherwise the profile matching the file's header (if any) is applied automatically. A file whose
    required columns are not all found comes back with ``missing`` set and no rows checked.
    """
    with services.session() as session:
        only = _import_scope(session, actor)
        sheet = read_sheet(
            data,
            filename,
            max_bytes=services.settings.max_upload_bytes,
            max_rows=services.settings.max_import_rows,
        )
        choices, used = import_profiles.choices_for(
            session, "offer", sheet, decisions=decisions, profile=profile, institution_id=actor.institution_id
        )
        return preview_offers(
            sheet,
            normalizer=institutions.normalizer(session),
            fields=services.reference.fields,
            existing=existing_offers(session, actor),
            default_institution=default_institution,
            only_institution=only,
            choices=choices,
            profile=used,
        )


@dataclass(frozen=True)
class CommitResult:
    offer_ids: list[int]
    #: Rows not stored because their patent was stored between preview and commit (row → 「已有成果 #…」).
    skipped: dict[int, str]

    @property
    def committed(self) -> int:
        return len(self.offer_ids)


def commit(
    services: Services,
    actor: Actor,
    report: OfferReport,
    *,
    confirmed_rows: Collection[int] = (),
    status: str = "发布",
    progress: Callable[[int], None] | None = None,
) -> CommitResult:
    """Store the valid rows (and the probable duplicates whose row number is in ``confirmed_rows``) in one
    transaction: any failure part-way leaves the database as it was. ``status`` is 发布 (an office's list is a
    list of offers for transfer) or 草稿 (to review each before publishing).

    Permission is checked again per row, and duplicates again against the database as it is now, so a preview
    that waited while someone else listed the same patent cannot store it twice.
    """
    rows = [
        r
        for r in report.results
        if r.draft is not None
        and (r.status == "valid" or (r.status == "duplicate" and r.probable and r.row in confirmed_rows))
    ]
    if status not in INITIAL_STATUSES:
        raise ValidationFailed([FieldError("status", f"导入后的状态只能是{'或'.join(INITIAL_STATUSES)}")])
    step = progress or (lambda _n: None)
    created: list[int] = []
    skipped: dict[int, str] = {}
    with services.transaction() as session:
        _import_scope(session, actor)
        stored = dict(existing_offers(session, actor).by_patent_key)
        ids_by_name = {i.canonical_name: i for i in institutions.all_institutions(session)}
        pending: list[tuple[Offer, str]] = []
        for result in rows:
            draft = result.draft
            assert draft is not None
            institution = ids_by_name.get(draft.institution)
            if institution is None:
                raise ValidationFailed(
                    [FieldError("institution", f"第{result.row}行的权利人「{draft.institution}」已不存在")]
                )
            authorize(actor, "offer.create", institution.id)
            if draft.patent_key in stored:
                skipped[result.row] = stored[draft.patent_key]
                continue
            stored[draft.patent_key] = f"第{result.row}行"
            note = IMPORT_NOTE if result.status == "valid" else f"{IMPORT_NOTE}（已确认不是重复登记）"
            pending.append(
                (Offer(status=status, created_by=actor.id, **offer_columns(draft, institution)), note)
            )
        # One flush for all offers: the INSERTs go out in batches, which is what makes 10,000 rows take seconds.
        session.add_all([offer for offer, _note in pending])
        session.flush()
        step(len(skipped))
        for offer, note in pending:
            assert offer.id is not None
            record_creation(session, actor, offer, note=note)
            created.append(offer.id)
            step(1)
        announce(session, "offer", created, "created")
    return CommitResult(offer_ids=created, skipped=skipped)


# --- previews waiting for confirmation ------------------------------------------------------------------------


def save_preview(
    services: Services,
    actor: Actor,
    report: OfferReport,
    data: bytes = b"",
    decisions: Decisions | None = None,
) -> str:
    """Keep ``report`` (and the file, for the mapping step) for ``actor`` until they confirm; returns the random
    id the confirmation form carries (``import_uploads``: swept after a day, readable only by the uploader)."""
    return import_uploads.save(
        services.settings.var_dir, actor, "offer", report.filename, data, report, decisions
    )


def load_upload(services: Services, actor: Actor, token: str) -> import_uploads.Upload:
    """The stored upload of ``token``: file, preview and decisions; someone else's is refused."""
    return import_uploads.load(services.settings.var_dir, actor, "offer", token)


def load_preview(services: Services, actor: Actor, token: str) -> OfferReport:
    """The stored preview of ``token``; someone else's preview is refused, an expired one is missing."""
    report: OfferReport = load_upload(services, actor, token).report
    return report


def discard_preview(services: Services, token: str) -> None:
    import_uploads.discard(services.settings.var_dir, "offer", token)


# --- as jobs (docs/jobs.md): the upload and 确认导入 answer at once; a worker previews and commits -------------

PREVIEW_KIND = "offer_import_preview"
COMMIT_KIND = "offer_import_commit"


def submit_preview(
    services: Services,
    actor: Actor,
    data: bytes,
    filename: str,
    decisions: Decisions | None = None,
    profile: str | None = None,
) -> int:
    """Queue the preview of an uploaded file (with the mapping step's ``decisions``, saved as import profile
    ``profile`` when given); returns the job id. The permission check runs here too, so a user who may not
    import learns it at once rather than on the job page."""
    with services.session() as session:
        _import_scope(session, actor)
    params = {"filename": filename, **import_profiles.decisions_params(decisions, profile)}
    return jobs.submit(services, actor, PREVIEW_KIND, f"专利成果导入预览：{filename}", params, input=data)


def _checked(report: OfferReport, counts: dict[str, int]) -> str:
    if report.needs_mapping:
        return f"有必填字段没有找到对应的列（{'、'.join(report.missing)}），请在预览中指定。"
    return (
        f"已检查 {len(report.results)} 行：可导入 {counts['valid']} 行，有误 {counts['error']} 行，"
        f"重复 {counts['duplicate']} 行。请查看预览后确认导入。"
    )


@jobs.kind(PREVIEW_KIND, needs_input=True)
def _run_preview(services: Services, job: jobs.JobRun) -> dict[str, object]:
    assert job.input is not None
    decisions = import_profiles.decisions_from_params(job.params)
    report = preview(services, job.actor, job.input, job.params["filename"], decisions=decisions)
    job.progress(rows_read=len(report.results))
    saved = import_profiles.remember(services, job.actor, "offer", report, job.params)
    token = save_preview(services, job.actor, report, job.input, decisions)
    counts = {s: len(report.with_status(s)) for s in ("valid", "error", "duplicate")}
    return {
        "message": import_profiles.saved_note(saved) + _checked(report, counts),
        "url": f"/import/offers/{token}",
        "url_label": "查看预览并确认导入",
        "token": token,
    }


def submit_commit(
    services: Services, actor: Actor, token: str, confirmed_rows: Collection[int], status: str
) -> int:
    report = load_preview(services, actor, token)  # refuses someone else's or an expired preview at once
    return jobs.submit(
        services,
        actor,
        COMMIT_KIND,
        f"专利成果导入：{report.filename}",
        {"token": token, "confirmed_rows": sorted(confirmed_rows), "status": status},
    )


@jobs.kind(COMMIT_KIND)
def _run_commit(services: Services, job: jobs.JobRun) -> dict[str, object]:
    from matchmaker.services import match_index

    token = job.params["token"]
    report = load_preview(services, job.actor, token)
    job.progress(rows_read=len(report.results), rows_written=0)
    result = commit(
        services,
        job.actor,
        report,
        confirmed_rows=set(job.params["confirmed_rows"]),
        status=job.params["status"],
        progress=lambda n: job.add(rows_written=n),
    )
    job.progress(rows_written=result.committed)
    discard_preview(services, token)
    embedded_before = match_index.embedder(services).computed
    match_index.ensure(services, wait=True)  # embeds the new offers into the shared vector cache
    job.progress(texts_embedded=match_index.embedder(services).computed - embedded_before)
    skipped = f"；{len(result.skipped)} 行在预览后已被他人登记，未重复导入" if result.skipped else ""
    return {
        "message": f"已从 {report.filename} 导入 {result.committed} 条专利成果{skipped}",
        "url": "/my/offers",
        "url_label": "查看我的成果",
        "committed": result.committed,
    }
