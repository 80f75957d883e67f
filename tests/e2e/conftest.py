"""Browser tests: the real app (`python -m cbe_app run`, production build) driven by Chromium.

The app runs once per test session on its own port and data folder, with the embedded Redis
and a SQLite file, a Celery worker and beat, exactly as `make run` starts them. Every page
a test opens is watched for console errors and uncaught exceptions; any of them fails the
test (the fail-on-error-log fixture).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from cbe_app.config import PROJECT_ROOT
from cbe_app.demo.users import DEMO_PASSWORD

PORT = int(os.environ.get("CBE_E2E_PORT", "3171"))
BASE = f"http://localhost:{PORT}"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
STARTUP_SECONDS = 420


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@dataclass
class RunningApp:
    """The app under test."""

    base: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `python -m cbe_app …` against the app's own database."""
        return subprocess.run(
            [sys.executable, "-m", "cbe_app", *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=PROJECT_ROOT,
            timeout=120,
            check=False,
        )


def _wait_until_up(app: RunningApp) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise RuntimeError(
                f"the app stopped during start-up; see {app.log}:\n{app.log.read_text()[-3000:]}"
            )
        try:
            if (
                httpx.get(f"{app.base}/healthz", timeout=2).status_code == 200
                and httpx.get(f"{app.base}/login", timeout=5, follow_redirects=True).status_code
                == 200
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the app did not answer within {STARTUP_SECONDS}s; see {app.log}")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """Start the whole app (embedded Redis, app server, worker, beat) for the session."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "e2e-app.log"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        {
            "CBE_DATA_DIR": str(data_dir),
            "PORT": str(PORT),
            "CBE_DEMO_ORDERS": "3000",
            "CBE_PUBLIC_URL": BASE,
            "CBE_APP_WORKERS": "2",
            "CBE_WORKER_CONCURRENCY": "2",
        }
    )
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "cbe_app", "run"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    app = RunningApp(BASE, data_dir, process, log, env)
    try:
        _wait_until_up(app)
        yield app
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
        try:
            process.wait(40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    markers = (str(data_dir), f"worker-{process.pid}@")  # Redis and beat, and the worker's name
    assert not _left_behind(markers), f"Ctrl-C left processes running: {_left_behind(markers)}"
    assert not _port_open(PORT), "Ctrl-C left the app listening"


def _left_behind(markers: tuple[str, ...]) -> list[str]:
    """Command lines of processes that still mention one of the markers."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(marker in cmdline for marker in markers):
            found.append(cmdline.strip())
    return found


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def browser(app_server: RunningApp) -> Iterator[Browser]:
    """Debian's Chromium, headless (never a browser downloaded by a tool)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class ErrorLog:
    """Console errors and uncaught page errors seen during a test."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: str) -> None:
        """Expect an error matching `pattern` (a test that provokes one on purpose)."""
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]


@pytest.fixture
def error_log() -> ErrorLog:
    """Fails the test if any page logged an error it did not expect."""
    return ErrorLog()


def _watch(page: Page, log: ErrorLog) -> None:
    page.on(
        "console",
        lambda m: (
            log.errors.append(f"console.{m.type}: {m.text} at {m.location.get('url')}")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: log.errors.append(f"pageerror: {e}"))
    page.on(
        "response",
        lambda r: (
            log.errors.append(f"HTTP {r.status}: {r.request.method} {r.url}")
            if r.status >= 400
            else None
        ),
    )


@pytest.fixture
def context(
    browser: Browser, error_log: ErrorLog, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies), desktop-sized; every page in it is watched."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 860}, base_url=BASE)
    ctx.on("page", lambda page: _watch(page, error_log))
    yield ctx
    ctx.close()
    unexpected = error_log.unexpected()
    assert not unexpected, "the browser logged errors:\n" + "\n".join(unexpected)


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A page in a fresh profile."""
    return context.new_page()


def wait_for_socket(page: Page) -> None:
    """Give the websocket time to connect and hydrate after a navigation."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(800)


def sign_in(
    page: Page, who: str = "admin", password: str = DEMO_PASSWORD, next_path: str = ""
) -> None:
    """Sign in through the real form as one of the demo users."""
    page.goto("/login" + (f"?next={next_path}" if next_path else ""))
    page.wait_for_selector("#email")
    wait_for_socket(page)
    page.fill("#email", f"{who}@demo.cbe.example")
    page.fill("#password", password)
    page.click("[data-testid=sign-in]")


def signed_in(page: Page, who: str = "admin") -> None:
    """Sign in and wait for the shell."""
    sign_in(page, who)
    page.wait_for_selector("[data-testid=page-title]")
    wait_for_socket(page)


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot kept in test-artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
