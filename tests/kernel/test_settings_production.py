"""Production mode (DEBUG off) refuses to start without its secrets, and is clean for `check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "backend.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SECRET_KEY and ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "vigie.example.fr"}, "SECRET_KEY"),
        ({"SECRET_KEY": "k" * 10 + secrets.token_urlsafe(50)}, "ALLOWED_HOSTS"),
    ],
)
def test_debug_off_refuses_to_start_without_secrets(env, missing):
    result = _manage("check", DEBUG="0", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"DEBUG is off: set {missing} in the environment." in result.stderr


def test_debug_off_with_secrets_passes_check_deploy_without_a_warning():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="vigie.example.fr",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_a_bad_boolean_is_refused_loudly():
    result = _manage("check", DEBUG="peut-être")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
