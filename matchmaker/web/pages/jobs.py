"""我的任务: the page of one job (progress, result, retry) and the list of one's jobs, plus the JSON of a job."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from matchmaker.services import index_jobs, jobs
from matchmaker.web.security import read_form, require_actor
from matchmaker.web.templating import flash, render


def job_list(request: Request) -> Response:
    actor = require_actor(request)
    items = jobs.list_jobs(request.app.state.services, actor)
    return render(request, "jobs/list.html", {"items": items, "is_admin": actor.is_admin})


def reindex(request: Request) -> Response:
    """重建匹配索引 (admins): a job, like every long piece of work."""
    actor = require_actor(request, ("admin",))
    read_form(request)
    job_id = index_jobs.submit_reindex(request.app.state.services, actor)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def job_detail(request: Request) -> Response:
    """Reloads itself every 2 s while the job waits or runs; the state lives in the database, not the page."""
    actor = require_actor(request)
    v = jobs.get_job(request.app.state.services, actor, request.path_params["job_id"])
    return render(request, "jobs/detail.html", {"v": v})


def job_retry(request: Request) -> Response:
    actor = require_actor(request)
    read_form(request)
    job_id = request.path_params["job_id"]
    jobs.retry(request.app.state.services, actor, job_id)
    flash(request, "任务已重新排队")
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def job_json(request: Request) -> Response:
    """
    summary: 后台任务的状态、进度与结果（本人或管理员）
    responses:
      200: {description: 任务}
      403: {description: 不是本人的任务}
      404: {description: 不存在}
    """
    actor = require_actor(request)
    v = jobs.get_job(request.app.state.services, actor, request.path_params["job_id"])
    job = v.job
    return JSONResponse(
        {
            "id": job.id,
            "kind": job.kind,
            "title": job.title,
            "state": job.state,
            "state_label": v.state_label,
            "progress": job.progress,
            "result": job.result,
            "error": job.error,
            "attempts": job.attempts,
        }
    )


routes = [
    Route("/jobs", job_list, include_in_schema=False),
    Route("/jobs/{job_id:int}", job_detail, include_in_schema=False),
    Route("/jobs/reindex", reindex, methods=["POST"], include_in_schema=False),
    Route("/jobs/{job_id:int}/retry", job_retry, methods=["POST"], include_in_schema=False),
    Route("/api/v1/jobs/{job_id:int}", job_json),
]
