"""What ``/healthz`` reports: database reachable, job backlog, the age of the oldest waiting job, and whether
this process's match index is current. A handful of indexed queries, so it answers in milliseconds."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from matchmaker.services import jobs, match_index

if TYPE_CHECKING:
    from matchmaker.bootstrap import Services


def health(services: Services) -> tuple[bool, dict[str, Any]]:
    """``(ok, report)``; ``ok`` is False only when the database cannot be reached."""
    started = time.perf_counter()
    try:
        with services.session() as session:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        backlog = jobs.backlog(services)
        index = match_index.index_status(services)
    except SQLAlchemyError as exc:  # the point of a health check: say what is wrong rather than fail
        return False, {"status": "error", "database": False, "error": type(exc).__name__}
    return True, {
        "status": "ok",
        "database": True,
        "jobs": {
            "queued": backlog.queued,
            "running": backlog.running,
            "oldest_queued_seconds": round(backlog.oldest_queued_seconds, 1)
            if backlog.oldest_queued_seconds is not None
            else None,
        },
        "index": index,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }
