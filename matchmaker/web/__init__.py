"""The Starlette web app: pages in Chinese and the JSON API under /api/v1.

**The one rule for handlers: every endpoint (and exception handler) is a plain ``def``.** Starlette runs plain
endpoints in its thread pool, so database queries, spreadsheet parsing, embedding and template rendering never
block the event loop that accepts every other user's requests. The only asynchronous step, receiving the body,
happens inside :func:`matchmaker.web.security.read_form` / :func:`~matchmaker.web.security.read_json`, which hop
onto the loop for it (``anyio.from_thread.run``); uploaded files are read with ``upload.file.read()``. Work longer
than a page view (imports, reindexing, schedule solves, large exports) does not belong in a request at all: it is
queued as a job instead. ``tests/web/test_nonblocking.py`` holds every route to this.
"""

from matchmaker.web import ids

ids.install()  # before any page module builds its routes
