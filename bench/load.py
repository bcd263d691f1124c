"""Mixed-role load against a running server on 127.0.0.1, for a bounded time; prints req/s, p50/p95/p99, errors.

    matchmaker seed --demo && matchmaker serve --workers 2 &        # or DATABASE_URL=postgresql://… the same
    .venv/bin/python bench/load.py [--base http://127.0.0.1:8000] [--connections 50] [--seconds 30]
                                   [--import-rows 10000] [--reindex]

Simulated people, each on its own keep-alive connection and logged in through the real form (demo accounts):

- researchers browse the offer list, their own offers, an offer's page (with its matched needs) and their jobs;
- SMEs search offers, read their needs with the matched offers, and open offers;
- the bureau opens the dashboard, the contract list and the plan indicators;
- a monitor asks /healthz.

``--import-rows N`` has the admin upload an N-row offer spreadsheet (generated as in ``bench/import_offers.py``),
wait for the preview job, commit it and wait for the commit job, while the others keep browsing; ``--reindex``
queues a rebuild of the match index at the start. Only the browsing requests are measured. Never a timed assert:
a script that prints figures (run ``uptime`` beside it; the machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROLES = {
    "researcher": (
        ["nuaa_chen", "nuaa_lin", "seu_wang", "seu_zhao", "cqu_liu", "cqu_he"],
        "demo-researcher-2026",
    ),
    "sme": (["sme_hengli", "sme_xinchu", "sme_lidian"], "demo-sme-2026"),
    "bureau": (["ipo_zhou"], "demo-bureau-2026"),
}
#: Of every 20 simulated people: 8 researchers, 9 SMEs, 2 at the bureau, 1 monitor.
MIX = ["researcher"] * 8 + ["sme"] * 9 + ["bureau"] * 2 + ["monitor"]
SEARCHES = ["锂电池", "隔膜", "电机控制", "光伏", "储能", "机器视觉", "新材料", "传感器", "氢能", "智能制造"]


class Conn:
    """One keep-alive HTTP/1.1 connection with a cookie jar: enough client for our own server."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookies: dict[str, str] = {}

    async def request(
        self, method: str, path: str, body: bytes = b"", content_type: str = ""
    ) -> tuple[int, dict[str, str], bytes]:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: keep-alive"]
            if self.cookies:
                head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
            if body or method == "POST":
                head += [f"Content-Length: {len(body)}", f"Content-Type: {content_type}"]
            try:
                self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
                await self.writer.drain()
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _response(self) -> tuple[int, dict[str, str], bytes]:
        assert self.reader is not None
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
            headers[name] = value
        if headers.get("transfer-encoding") == "chunked":
            chunks = []
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                chunks.append(await self.reader.readexactly(size + 2))
            await self.reader.readuntil(b"\r\n")
            data = b"".join(c[:-2] for c in chunks)
        else:
            data = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection") == "close":
            self.close()
        return status, headers, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _csrf(page: bytes) -> str:
    found = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found[1].decode()


async def login(conn: Conn, username: str, password: str) -> str:
    _, _, page = await conn.request("GET", "/login")
    token = _csrf(page)
    form = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": token}).encode()
    status, _, _ = await conn.request("POST", "/login", form, "application/x-www-form-urlencoded")
    if status != 303:
        raise RuntimeError(f"{username} could not log in ({status})")
    _, _, home = await conn.request("GET", "/")
    return _csrf(home)


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    by_page: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    slowest: list[tuple[float, str]] = field(default_factory=list)

    def record(self, seconds: float, status: int, path: str) -> None:
        self.latencies.append(seconds)
        page = re.sub(r"/\d+", "/{id}", path.split("?")[0])
        self.by_page.setdefault(page, []).append(seconds)
        if status >= 400:
            key = f"{status} {path.split('?')[0]}"
            self.errors[key] = self.errors.get(key, 0) + 1
        if seconds > 1.0:
            self.slowest.append((seconds, path))


async def sessions(base: tuple[str, int]) -> dict[str, dict[str, str]]:
    """Log each demo account in once (password hashing is deliberately slow); people of one account share it."""
    jars: dict[str, dict[str, str]] = {}
    for names, password in ROLES.values():
        for name in names:
            conn = Conn(*base)
            await login(conn, name, password)
            jars[name] = dict(conn.cookies)
            conn.close()
    return jars


async def person(
    role: str,
    n: int,
    base: tuple[str, int],
    jars: dict[str, dict[str, str]],
    deadline: list[float],
    stats: Stats,
    offers: list[int],
) -> None:
    conn = Conn(*base)
    rng = random.Random(n)
    if role != "monitor":
        names, _password = ROLES[role]
        conn.cookies = dict(jars[names[n % len(names)]])

    def pick() -> str:
        offer = f"/offers/{rng.choice(offers)}" if offers else "/offers"
        if role == "researcher":
            return rng.choice(
                [
                    "/offers",
                    "/my/offers",
                    offer,
                    "/offers?q=" + urllib.parse.quote(rng.choice(SEARCHES)),
                    "/jobs",
                ]
            )
        if role == "sme":
            return rng.choice(
                ["/search?q=" + urllib.parse.quote(rng.choice(SEARCHES)), "/my/needs", offer, "/needs"]
            )
        if role == "bureau":
            return rng.choice(["/stats", "/contracts", "/indicators"])
        return "/healthz"

    while time.monotonic() < deadline[0]:
        path = pick()
        started = time.perf_counter()
        try:
            status, _, _ = await conn.request("GET", path)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            status = 599
        stats.record(time.perf_counter() - started, status, path)
    conn.close()


async def offer_ids(base: tuple[str, int]) -> list[int]:
    conn = Conn(*base)
    await login(conn, "nuaa_chen", "demo-researcher-2026")
    _, _, page = await conn.request("GET", "/offers")
    conn.close()
    return sorted({int(m) for m in re.findall(rb'href="/offers/(\d+)"', page)})


async def wait_job(conn: Conn, location: str, label: str) -> bytes:
    started = time.perf_counter()
    while True:
        _, _, page = await conn.request("GET", location)
        state = re.search(rb'data-state="(\w+)"', page)
        if state and state[1] in (b"done", b"failed"):
            print(f"  {label}: {state[1].decode()} after {time.perf_counter() - started:.1f} s ({location})")
            return page
        await asyncio.sleep(1)


async def background_import(base: tuple[str, int], rows: int) -> None:
    from import_offers import generate  # bench/import_offers.py: an office-like spreadsheet

    data = generate(rows, seed=int(time.time()) % 1000)
    conn = Conn(*base)
    token = await login(conn, "admin", "demo-admin-2026")
    boundary = "----matchmaker-bench"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench_{rows}.xlsx"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, headers, _ = await conn.request(
        "POST", "/import/offers", body, f"multipart/form-data; boundary={boundary}"
    )
    if status != 303:
        print(f"  upload refused ({status})")
        return
    page = await wait_job(conn, headers["location"], f"preview of {rows} rows")
    link = re.search(rb'href="(/import/offers/[\w-]+)"[^>]*data-testid="job-next"', page)
    if not link:
        return
    form = urllib.parse.urlencode({"csrf_token": token, "status": "发布"}).encode()
    status, headers, _ = await conn.request(
        "POST", link[1].decode(), form, "application/x-www-form-urlencoded"
    )
    await wait_job(conn, headers["location"], "commit")
    conn.close()


async def background_reindex(base: tuple[str, int]) -> None:
    conn = Conn(*base)
    token = await login(conn, "admin", "demo-admin-2026")
    form = urllib.parse.urlencode({"csrf_token": token}).encode()
    status, headers, _ = await conn.request(
        "POST", "/jobs/reindex", form, "application/x-www-form-urlencoded"
    )
    if status == 303:
        await wait_job(conn, headers["location"], "reindex")
    conn.close()


def _pct(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))] * 1000


async def run(args: argparse.Namespace) -> None:
    url = urllib.parse.urlparse(args.base)
    if url.hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("bench/load.py drives 127.0.0.1 only")
    base = (url.hostname, url.port or 80)
    offers = await offer_ids(base)
    jars = await sessions(base)
    stats = Stats()
    background = []
    if args.reindex:
        background.append(asyncio.create_task(background_reindex(base)))
    if args.import_rows:
        background.append(asyncio.create_task(background_import(base, args.import_rows)))
    deadline = [time.monotonic() + args.seconds]
    started = time.perf_counter()
    people = [
        person(MIX[i % len(MIX)], i, base, jars, deadline, stats, offers) for i in range(args.connections)
    ]
    await asyncio.gather(*people)
    elapsed = time.perf_counter() - started
    values = sorted(stats.latencies)
    load = os.getloadavg()
    print(
        f"{len(values)} requests in {elapsed:.1f} s: {len(values) / elapsed:.0f} req/s; "
        f"p50 {_pct(values, 0.50):.0f} ms, p95 {_pct(values, 0.95):.0f} ms, p99 {_pct(values, 0.99):.0f} ms, "
        f"max {values[-1] * 1000:.0f} ms; errors {sum(stats.errors.values())}; over 1 s {len(stats.slowest)}"
    )
    print(
        f"  connections {args.connections}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (shared machine)"
    )
    for page, times in sorted(stats.by_page.items(), key=lambda kv: -_pct(sorted(kv[1]), 0.95)):
        ordered = sorted(times)
        print(
            f"  {page:<16} {len(times):>6} req  p50 {_pct(ordered, 0.5):>6.0f} ms  p95 {_pct(ordered, 0.95):>6.0f} ms"
        )
    for key, n in sorted(stats.errors.items()):
        print(f"  error {key}: {n}")
    if background:
        print("  waiting for the background jobs to finish …")
        await asyncio.gather(*background)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--import-rows", type=int, default=0)
    parser.add_argument("--reindex", action="store_true")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
