"""Production mode (DEBUG off, the default) refuses to start without its secrets or with weak or published
keys, and is clean for `check --deploy`."""

import secrets
import subprocess

import pytest

from backend.core.keys import DEV_JWT_SIGNING_KEY, DEV_SECRET_KEY, KNOWN_KEYS
from tests.helpers import fresh_python

HOSTS = "vigie.example.fr"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return fresh_python("manage.py", *args, **env)


def _key() -> str:
    return secrets.token_urlsafe(64)


@pytest.mark.parametrize(
    ("env", "problems"),
    [
        ({}, ["SECRET_KEY is not set", "JWT_SIGNING_KEY is not set", "ALLOWED_HOSTS is not set"]),
        (
            {"DEBUG": "0", "ALLOWED_HOSTS": HOSTS, "JWT_SIGNING_KEY": "j" * 5 + _key()},
            ["SECRET_KEY is not set"],
        ),
        ({"SECRET_KEY": "k" * 10 + _key(), "JWT_SIGNING_KEY": _key()}, ["ALLOWED_HOSTS is not set"]),
        ({"SECRET_KEY": _key(), "ALLOWED_HOSTS": HOSTS}, ["JWT_SIGNING_KEY is not set"]),
    ],
)
def test_debug_off_refuses_to_start_without_secrets(env, problems):
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG is off (production) and Vigie will not start" in result.stderr
    for problem in problems:
        assert problem in result.stderr
    assert len(problems) == result.stderr.count("\n- ")


@pytest.mark.parametrize(
    ("secret_key", "why"),
    [
        ("tooshort-" + secrets.token_hex(10), "too weak (29 characters"),
        ("abcd" * 20, "too weak (80 characters, 4 distinct)"),
        (DEV_SECRET_KEY, "a published key"),
        (DEV_JWT_SIGNING_KEY, "a published key"),
        ("django-insecure-" + _key(), "a published key"),
        *[(key, "a published key") for key in sorted(KNOWN_KEYS)],
    ],
)
def test_debug_off_refuses_a_weak_or_published_key(secret_key, why):
    result = _manage("check", SECRET_KEY=secret_key, JWT_SIGNING_KEY=_key(), ALLOWED_HOSTS=HOSTS)
    assert result.returncode != 0
    assert f"SECRET_KEY is {why}" in result.stderr
    assert "manage.py generate_secret_key" in result.stderr
    assert secret_key not in result.stderr  # never echoes a key into the logs


def test_the_jwt_key_must_differ_from_the_secret_key():
    key = _key()
    result = _manage("check", SECRET_KEY=key, JWT_SIGNING_KEY=key, ALLOWED_HOSTS=HOSTS)
    assert result.returncode != 0
    assert "JWT_SIGNING_KEY must differ from SECRET_KEY" in result.stderr


def test_debug_off_with_secrets_passes_check_deploy_without_a_warning():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=_key(),
        JWT_SIGNING_KEY=_key(),
        ALLOWED_HOSTS=HOSTS,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_generate_secret_key_works_before_anything_is_configured_and_makes_an_accepted_key():
    made = {_manage("generate_secret_key").stdout.strip() for _ in range(2)}
    assert len(made) == 2
    for key in made:
        assert len(key) >= 50
    first, second = sorted(made)
    result = _manage("check", SECRET_KEY=first, JWT_SIGNING_KEY=second, ALLOWED_HOSTS=HOSTS)
    assert result.returncode == 0, result.stderr


def test_the_migrations_check_runs_on_an_unconfigured_checkout_and_nothing_else_does():
    checked = _manage("makemigrations", "--check", "--dry-run")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No changes detected" in checked.stdout
    # Without --check it is a writer, under production rules: the settings refuse to load (Django then
    # reports it as ImproperlyConfigured or as apps not loaded, depending on when it first looks).
    refused = _manage("makemigrations", "--dry-run")
    assert refused.returncode != 0
    assert "No changes detected" not in refused.stdout
    assert "ImproperlyConfigured" in refused.stderr or "AppRegistryNotReady" in refused.stderr


def test_generate_secret_key_is_a_management_command_too():
    result = _manage("help", "generate_secret_key", DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "SECRET_KEY" in result.stdout


def test_a_bad_boolean_is_refused_loudly():
    result = _manage("check", DEBUG="peut-être")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
