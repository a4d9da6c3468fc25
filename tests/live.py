"""Real servers for end-to-end tests (and the benchmarks): daphne, workers, Redis, PostgreSQL databases,
headless Chromium.

- `start_daphne(tmp_dir, extra_env)` starts `daphne backend.asgi:application` (or, with `command=SERVE`,
  deploy's `python -m backend.core.serve`) on a free port, pointed at the same database as the test (file
  SQLite or PostgreSQL test database) unless given a whole `env`, and waits until /livez answers.
- `daphne_server` (session) is one such server; tests that use it need committed data, so they use the
  `transactional_db` fixture (or `django_db(transaction=True)`).
- `Worker` is `manage.py run_worker` as a process; `until` waits for a condition.
- `running_redis()` is REDIS_URL when set, else a throwaway `redis-server` on a free port (never a skip);
  `redis_url` (session) is one for the tests.
- `fresh_database(url, folder)` is a new database for processes: on the PostgreSQL server of `url`
  (created through the maintenance database, dropped afterwards), else a SQLite file.
- `browser` (session) is Debian's Chromium driven by Playwright; `page` is a fresh 1366×768 context.
  Screenshots go to test-artifacts/ (kept by CI as artefacts).
- Every browser context watches for Content-Security-Policy violations (`securitypolicyviolation`
  events and the console's CSP errors): a browser test that causes one fails (`csp_violations` is the
  list, for a test that provokes one on purpose).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.plugins.services import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parent.parent
DAPHNE = (str(Path(sys.executable).parent / "daphne"),)
SERVE = (sys.executable, "-m", "backend.core.serve")  # deploy's daphne: drains in-flight requests on SIGTERM
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


def until(
    condition: Callable[[], bool],
    *,
    what: str,
    timeout: float = 60.0,
    every: float = 0.05,
    watch: "Worker | None" = None,
) -> None:
    """Waits for `condition`; fails after `timeout` seconds, or at once when the `watch`ed worker exits."""
    deadline = time.monotonic() + timeout
    while not condition():
        if watch is not None and watch.process.poll() is not None:
            raise AssertionError(f"worker exited while waiting for {what}:\n{watch.output()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def token_for(user: Any) -> str:
    """An access token (JWT) for the Authorization header or a socket's `?token=`: a staff member's
    records the second factor, as the staff token endpoint's do (tests/helpers.py)."""
    from tests.helpers import access_token_for

    return access_token_for(user)


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

    def stop(self, sig: int | None = None, *, timeout: float = 15) -> int:
        """SIGTERM (or `sig`), then SIGKILL after `timeout` seconds; the exit code."""
        if self.process.poll() is None:
            if sig is None:
                self.process.terminate()
            else:
                self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
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


def start_daphne(
    tmp_dir: Path,
    extra_env: dict[str, str] | None = None,
    *,
    command: Sequence[str] = DAPHNE,
    options: Sequence[str] = (),
    env: dict[str, str] | None = None,
    probe: str = "/livez",
    timeout: float = 30.0,
) -> Daphne:
    """`command` (plain daphne, or SERVE) with `options` on a free port; waits until `probe` answers 200.

    The environment is `env` when given (a benchmark's own database), else the test database's plus
    `extra_env`. The output goes to tmp_dir/daphne-<port>.log."""
    port = free_port()
    log = tmp_dir / f"daphne-{port}.log"
    process = subprocess.Popen(
        [*command, *options, "-b", "127.0.0.1", "-p", str(port), "backend.asgi:application"],
        cwd=ROOT,
        env=env if env is not None else server_env(extra_env),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}{probe}", timeout=2) as response:  # noqa: S310  (local)
                if response.status == 200:
                    return Daphne(url=url, port=port, process=process, log=log)
        except OSError:
            time.sleep(0.1)
    process.kill()
    process.wait()
    raise RuntimeError(f"daphne did not answer in {timeout}s:\n{log.read_text()}")


class Worker:
    """`manage.py run_worker` as a process, on the test database plus `extra_env` (or on a whole `env`);
    its output goes to tmp/worker-<name>.log (appended: a restarted worker may share one log)."""

    def __init__(
        self,
        tmp: Path,
        name: str,
        extra_env: dict[str, str] | None = None,
        *,
        env: dict[str, str] | None = None,
        batch: int | None = 10,
        poll: float = 0.1,
    ) -> None:
        self.name = name
        self.log = tmp / f"worker-{name}.log"
        options = ["--poll", str(poll)] + (["--batch", str(batch)] if batch is not None else [])
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", *options],
            cwd=ROOT,
            env=env if env is not None else server_env(extra_env),
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_started(self, *, timeout: float = 60.0) -> None:
        until(
            lambda: "Vigie worker started." in self.output(),
            what=f"start of {self.log.name}",
            timeout=timeout,
            every=0.01,
            watch=self,
        )

    def stop(self, sig: int = signal.SIGTERM, *, timeout: float = 60) -> int:
        """Sends `sig` and waits for the exit code; killed (and TimeoutExpired raised) after `timeout`."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@contextmanager
def running_redis(url: str | None = None, *, folder: Path | None = None) -> Iterator[str]:
    """`url`, else REDIS_URL, when set (checked with a ping: fails loudly when silent); else a throwaway
    `redis-server` on a free port, without persistence, stopped on exit. Never a skip; with
    VIGIE_REQUIRE_SERVICES=1 a missing REDIS_URL is an error."""
    import redis

    url = url or os.environ.get("REDIS_URL", "")
    if url:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        yield url
        return
    if REQUIRE_SERVICES:
        raise RuntimeError("VIGIE_REQUIRE_SERVICES=1 and REDIS_URL is not set")
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed (apt-get install redis-server), and REDIS_URL is not set"
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=folder or ROOT,  # --save "": nothing written there
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis for the session's tests: REDIS_URL (CI) or a throwaway redis-server."""
    if REQUIRE_SERVICES and not os.environ.get("REDIS_URL"):
        pytest.fail("VIGIE_REQUIRE_SERVICES=1 and REDIS_URL is not set", pytrace=False)
    with running_redis() as url:
        yield url


def postgres_server(url: str) -> str:
    """`postgres://user@host:port` of a database URL (its database name and query string dropped)."""
    return url.partition("?")[0].rpartition("/")[0]


def create_database(server: str, name: str, *, exist_ok: bool = False) -> str:
    """Creates `name` on the PostgreSQL `server` through its maintenance database (the URL's own database
    may not exist yet); returns its URL."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (exists and exist_ok):
            admin.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_database(url: str | None, folder: Path, *, prefix: str = "vigie_test") -> Iterator[str]:
    """A new empty database, dropped on exit: `<prefix>_<random>` on the PostgreSQL server of `url` when it
    is a PostgreSQL URL, else a SQLite file in `folder`."""
    if not (url or "").startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{folder / f'{prefix}.sqlite3'}"
        return
    assert url is not None
    server = postgres_server(url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    created = create_database(server, name)
    try:
        yield created
    finally:
        drop_database(server, name)


def live_writes_settle(*, timeout: float = 15.0) -> None:
    """On PostgreSQL, waits until no other session of the test database is busy: a transactional test's
    flush (TRUNCATE of every table) meeting a live server's last write (a closing console socket writes
    its read log and presence) deadlocks. A test that closes sockets first waits for them to close."""
    if connection.vendor != "postgresql":
        return

    def busy() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state <> 'idle'"
            )
            return bool(cursor.fetchone()[0])

    deadline = time.monotonic() + timeout
    while busy():
        if time.monotonic() > deadline:
            sys.stderr.write(f"live servers still writing after {timeout}s; flushing anyway\n")
            return
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def _live_writes_settle_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """For a transactional test beside a live server: its flush waits for the server's last writes."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in names or (marker is not None and marker.kwargs.get("transaction"))
    if not transactional or not names & {"live_tmp", "daphne_server"}:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    yield
    live_writes_settle()


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


_CSP_VIOLATIONS: list[str] = []
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => window.__vigieCspViolation(
  `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`));
"""


def csp_guard(context: Any) -> None:
    """Records every Content-Security-Policy violation of the pages of `context` in _CSP_VIOLATIONS: the
    documents' `securitypolicyviolation` events, and the console's CSP errors (also without JavaScript)."""

    def on_violation(text: str) -> None:
        _CSP_VIOLATIONS.append(text)

    def on_console(message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            _CSP_VIOLATIONS.append(message.text)

    context.expose_function("__vigieCspViolation", on_violation)
    context.add_init_script(_CSP_LISTENER)
    context.on("console", on_console)


@pytest.fixture(scope="module")
def browser(monkeypatch_module: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright  # only browser tests pay for the import

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make browser` installs it"
    # Playwright's sync API keeps an event loop running in this thread; Django's test database
    # teardown would take it for async code. Allowed for the browser tests' module only.
    monkeypatch_module.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        new_context = chromium.new_context

        def guarded_context(*args: Any, **kwargs: Any) -> Any:
            context = new_context(*args, **kwargs)
            csp_guard(context)
            return context

        chromium.new_context = guarded_context  # type: ignore[method-assign]
        yield chromium
        chromium.close()


@pytest.fixture
def csp_violations() -> list[str]:
    """The CSP violations recorded during this test (a test that provokes one empties it)."""
    return _CSP_VIOLATIONS


@pytest.fixture(autouse=True)
def _no_csp_violation(request: pytest.FixtureRequest) -> Iterator[None]:
    """A browser test fails on any Content-Security-Policy violation of its pages."""
    _CSP_VIOLATIONS.clear()
    yield
    if "browser" in request.fixturenames:
        violations = list(_CSP_VIOLATIONS)
        _CSP_VIOLATIONS.clear()
        assert violations == [], f"Content-Security-Policy violations: {violations}"


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
