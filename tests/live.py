"""Real servers for end-to-end tests: daphne subprocesses on the test database, and headless Chromium.

- `start_daphne(env_overrides)` starts `daphne backend.asgi:application` on a free port, pointed at the
  same database as the test (file SQLite or PostgreSQL test database), and waits until /livez answers.
- `daphne_server` (session) is one such server; tests that use it need committed data, so they use the
  `transactional_db` fixture (or `django_db(transaction=True)`).
- `browser` (session) is Debian's Chromium driven by Playwright; `page` is a fresh 1366×768 context.
  Screenshots go to test-artifacts/ (kept by CI as artefacts).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_database_url() -> str:
    """The URL of the database pytest-django created, for processes started by the test."""
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        name = str(settings["NAME"])
        assert not name.startswith(("file:", ":memory:")), "live servers need a file SQLite test database"
        return f"sqlite:///{name}"
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@dataclass
class Daphne:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")

    def stop(self, sig: int | None = None) -> int:
        if self.process.poll() is None:
            if sig is None:
                self.process.terminate()
            else:
                self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode)


def server_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "backend.settings",
    }
    env.update(extra or {})
    return env


def start_daphne(tmp_dir: Path, extra_env: dict[str, str] | None = None, *, timeout: float = 30.0) -> Daphne:
    port = free_port()
    log = tmp_dir / f"daphne-{port}.log"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "backend.asgi:application",
        ],
        cwd=ROOT,
        env=server_env(extra_env),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/livez", timeout=1) as response:  # noqa: S310  (local)
                if response.status == 200:
                    return Daphne(url=url, port=port, process=process, log=log)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"daphne did not answer in {timeout}s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("live")


@pytest.fixture(scope="session")
def daphne_server(django_db_setup: Any, django_db_blocker: Any, live_tmp: Path) -> Iterator[Daphne]:
    """One daphne for the session; SMS and push go to files under live_tmp (sms/, push/)."""
    server = start_daphne(
        live_tmp,
        {
            "SMS_BACKEND": "file",
            "SMS_FILE_PATH": str(live_tmp / "sms"),
            "PUSH_BACKEND": "file",
            "PUSH_FILE_PATH": str(live_tmp / "push"),
            "MEDIA_ROOT": str(live_tmp / "media"),
        },
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patcher:
        yield patcher


@pytest.fixture(scope="module")
def browser(monkeypatch_module: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright  # only browser tests pay for the import

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make browser` installs it"
    # Playwright's sync API keeps an event loop running in this thread; Django's test database
    # teardown would take it for async code. Allowed for the browser tests' module only.
    monkeypatch_module.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    new_page = context.new_page()
    yield new_page
    context.close()


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
