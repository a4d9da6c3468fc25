"""Real processes for the deployment tests: graceful daphnes, workers, a Redis, and a town to work in."""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from alerts.models import Agency
from alerts.services import categories_seed_defaults
from backend.accounts.models import Role, User
from backend.messaging.models import Device
from backend.territory.models import Commune
from tests import factories
from tests.alerts import factories as alerts_factories
from tests.live import ROOT, Daphne, free_port, server_env
from tests.neighbours import factories as neighbours_factories

REQUIRE_SERVICES = os.environ.get("VIGIE_REQUIRE_SERVICES") == "1"
NORTH_POINT = alerts_factories.NORTH_POINT


def until(condition: Callable[[], bool], *, what: str, timeout: float = 60.0, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def start_graceful_daphne(
    tmp_dir: Path, extra_env: dict[str, str] | None = None, *, drain_timeout: float = 30.0
) -> Daphne:
    """`python -m backend.core.serve` (deploy's daphne) on a free port; waits for /livez."""
    port = free_port()
    log = tmp_dir / f"serve-{port}.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "backend.core.serve",
            "--drain-timeout",
            str(drain_timeout),
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
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/livez", timeout=1) as response:  # noqa: S310  (local)
                if response.status == 200:
                    return Daphne(url=url, port=port, process=process, log=log)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"serve did not answer:\n{log.read_text()}")


class Worker:
    """`manage.py run_worker` on the test database."""

    def __init__(self, tmp: Path, name: str, env: dict[str, str], *, batch: int = 10) -> None:
        self.name = name
        self.log = tmp / f"worker-{name}.log"
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--batch", str(batch), "--poll", "0.1"],
            cwd=ROOT,
            env=server_env(env),
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, *, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@dataclass
class RedisServer:
    url: str
    process: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def redis_for_tests(tmp: Path) -> RedisServer:
    """REDIS_URL when set (CI), else a throwaway `redis-server` on a free port; never a skip."""
    if os.environ.get("REDIS_URL"):
        return RedisServer(url=os.environ["REDIS_URL"])
    binary = shutil.which("redis-server")
    assert binary, "the scale test needs Redis: set REDIS_URL or install redis-server"
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp,
        stdout=(tmp / "redis.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    until(lambda: _pings(client), what="redis-server", timeout=10)
    return RedisServer(url=f"redis://127.0.0.1:{port}/0", process=process)


def _pings(client: Any) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


def token_for(user: User) -> str:
    return str(RefreshToken.for_user(user).access_token)


@dataclass
class Town:
    commune: Commune
    referents: list[User]
    moderators: list[User]
    operators: list[User]
    agency: Agency
    tokens: dict[int, str] = field(default_factory=dict)


def town(*, referents: int = 4, moderators: int = 2, operators: int = 2) -> Town:
    """A commune ready for submissions (protocol, charter), referents with one push device each, moderators,
    and one agency with its operators that routing sends everything to."""
    # A transactional test before this one may have flushed the categories that a migration seeds.
    categories_seed_defaults()
    commune = neighbours_factories.ready_commune(factories.commune())
    people = [neighbours_factories.referent(commune).user for _ in range(referents)]
    for index, person in enumerate(people):
        Device.objects.create(user=person, token=f"device-token-{person.pk}-{index}", platform="android")
    staff_moderators = [factories.user(role=Role.MODERATOR, commune=commune) for _ in range(moderators)]
    staff_operators = [factories.user(role=Role.OPERATOR, commune=commune) for _ in range(operators)]
    agency = alerts_factories.agency(commune=commune, members=tuple(staff_operators))
    alerts_factories.routing(commune, agency)
    alerts_factories.fallback(commune, agency)
    created = Town(commune, people, staff_moderators, staff_operators, agency)
    for person in [*people, *staff_moderators, *staff_operators]:
        created.tokens[person.pk] = token_for(person)
    return created


def submission(index: int) -> dict[str, Any]:
    return {
        "category": "cambriolage",
        "description": f"Deux personnes forcent un portail, signalement de test n° {index}.",
        "occurred_at": (timezone.now() - timedelta(minutes=20)).isoformat(),
        **NORTH_POINT,
    }
