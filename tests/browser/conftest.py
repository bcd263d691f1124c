"""Browser harness: the app served by uvicorn on 127.0.0.1 with a fresh demo database, driven by Playwright
through Debian's Chromium (/usr/bin/chromium; never a downloaded browser). Screenshots go to
test-artifacts/screenshots/. Feature areas add their journeys as tests in this directory.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from sqlmodel import Session

from matchmaker.bootstrap import build
from matchmaker.services import jobs
from matchmaker.services.seeding import seed_demo
from matchmaker.settings import PROJECT_ROOT, Settings
from matchmaker.storage.migrate import upgrade
from matchmaker.web.app import create_app

CHROMIUM = os.environ.get("MATCHMAKER_CHROMIUM", "/usr/bin/chromium")
SHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
DEMO_PASSWORDS = {
    "admin": "demo-admin-2026",
    "bureau": "demo-bureau-2026",
    "organizer": "demo-organizer-2026",
    "researcher": "demo-researcher-2026",
    "sme": "demo-sme-2026",
}
pytestmark = pytest.mark.browser
#: The services behind each running test server (by base URL), for journeys that must move the clock, e.g. to
#: make an agreed meeting "have started" without waiting for it.
LIVE_SERVICES: dict[str, object] = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a fresh demo database, one per test module: the journeys write (requests, events, offers), and
    two of them sharing a database saw each other's rows whenever they ran in the same process."""
    var_dir = tmp_path_factory.mktemp("browser-var")
    settings = Settings(
        database_url=f"sqlite:///{var_dir / 'matchmaker.db'}",
        secret_key="browser-test",
        var_dir=var_dir,
        embedder="hashing",
    )  # the matcher's fast, offline stand-in
    services = build(settings)
    upgrade(services.engine)
    with Session(services.engine) as session:
        seed_demo(session, settings.seed_dir)
        session.commit()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    stop_worker = threading.Event()  # the job worker `matchmaker serve` would start, here as a thread
    worker = threading.Thread(target=jobs.queue(services).work_until, args=(stop_worker,), daemon=True)
    worker.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("测试服务器 30 秒内未能启动")
        time.sleep(0.05)
    LIVE_SERVICES[f"http://127.0.0.1:{port}"] = services
    yield f"http://127.0.0.1:{port}"
    LIVE_SERVICES.pop(f"http://127.0.0.1:{port}", None)
    server.should_exit = True
    stop_worker.set()
    thread.join(timeout=10)
    worker.join(timeout=30)


@pytest.fixture(scope="module")
def live_services(live_server: str) -> object:
    """The ``Services`` of this module's server."""
    return LIVE_SERVICES[live_server]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 1366, "height": 900}
    )
    pg = context.new_page()
    outside: list[str] = []
    pg.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith(live_server) and not r.url.startswith("data:")
            else None
        ),
    )
    yield pg
    context.close()
    assert outside == [], f"页面请求了外部地址：{outside}"


def shot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("text=退出")


@pytest.fixture
def helpers() -> SimpleNamespace:
    """``helpers.log_in(page, user, password)`` and ``helpers.shot(page, name)`` for journeys."""
    return SimpleNamespace(log_in=log_in, shot=shot, passwords=DEMO_PASSWORDS)
