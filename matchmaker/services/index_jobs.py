"""The match index rebuild as a job (``matchmaker reindex`` from the web): run by the worker, with progress.

The rebuilt index is saved under ``var/match_index/``; web processes keep theirs current from the database (each
read compares one aggregate) and read vectors from the shared cache, so nothing needs a restart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from matchmaker.services import jobs, match_index
from matchmaker.services.permissions import Actor, authorize

if TYPE_CHECKING:
    from matchmaker.bootstrap import Services

REINDEX_KIND = "reindex"


def submit_reindex(services: Services, actor: Actor) -> int:
    authorize(actor, "index.rebuild")
    return jobs.submit(services, actor, REINDEX_KIND, "重建匹配索引")


@jobs.kind(REINDEX_KIND)
def _run_reindex(services: Services, job: jobs.JobRun) -> dict[str, Any]:
    authorize(job.actor, "index.rebuild")
    report = match_index.rebuild(
        services, progress=lambda done, total: job.progress(items_done=done, items_total=total)
    )
    job.progress(texts_embedded=report.embedded)
    return {
        "message": f"匹配索引已重建：成果 {report.offers} 项，需求 {report.needs} 项；新计算向量 {report.embedded} 个，"
        f"用时 {report.seconds:.1f} 秒"
    }
