"""Signing keys: the development ones, the keys Vigie refuses in production, and how to make a good one.

Imported by backend/settings.py (and by manage.py before Django is configured): standard library only.
"""

import hashlib
import hmac
import secrets

# The development keys are public (they are in this file): DEBUG mode only.
DEV_SECRET_KEY = "dev-insecure-vigie-secret-key-change-me-0123456789abcdefghijklmnop"  # noqa: S105


def jwt_key_derive(secret_key: str) -> str:
    """The JWT signing key of a development instance, derived from its SECRET_KEY (distinct from it)."""
    return hmac.new(secret_key.encode(), b"vigie.jwt-signing-key", hashlib.sha256).hexdigest()


DEV_JWT_SIGNING_KEY = jwt_key_derive(DEV_SECRET_KEY)

# Every key that was ever published: the development ones, and the values shipped in examples
# (deploy/env.example, the Dockerfile's build step, the README) by this or an earlier version.
KNOWN_KEYS = frozenset(
    {
        DEV_SECRET_KEY,
        DEV_JWT_SIGNING_KEY,
        "replace-me-with-secrets-token-urlsafe-64-Zq8vX3kP9wR2mT7yB4nL6cF1hJ5dG0sA",
        "build-time-only-never-used-at-run-time-0123456789abcdef",
    }
)
MIN_LENGTH = 50
MIN_DISTINCT_CHARACTERS = 5
GENERATE_COMMAND = "python manage.py generate_secret_key"


def key_generate() -> str:
    """A fresh key: 64 random bytes, URL-safe base64 (86 characters)."""
    return secrets.token_urlsafe(64)


def key_problem(name: str, value: str) -> str | None:
    """Why `value` may not sign anything in production (an English sentence for operators), or None."""
    make_one = f"make one with `{GENERATE_COMMAND}`"
    if not value:
        return f"{name} is not set: {make_one}."
    if value.strip() in KNOWN_KEYS or value.startswith(("dev-insecure", "django-insecure")):
        return f"{name} is a published key (development or example value), known to anyone: {make_one}."
    if len(value) < MIN_LENGTH or len(set(value)) < MIN_DISTINCT_CHARACTERS:
        return (
            f"{name} is too weak ({len(value)} characters, {len(set(value))} distinct): use "
            f"{MIN_LENGTH} or more random characters; {make_one}."
        )
    return None


def production_keys_problems(*, secret_key: str, jwt_signing_key: str) -> list[str]:
    """Everything wrong with the two signing keys of a production instance (DEBUG off)."""
    problems = [
        problem
        for problem in (
            key_problem("SECRET_KEY", secret_key),
            key_problem("JWT_SIGNING_KEY", jwt_signing_key),
        )
        if problem
    ]
    if secret_key and secret_key == jwt_signing_key:
        problems.append(
            "JWT_SIGNING_KEY must differ from SECRET_KEY (a leaked token key must not also forge sessions): "
            f"make another one with `{GENERATE_COMMAND}`."
        )
    return problems
