"""Finding 11 of issue 12: insecure defaults. DEBUG was on unless set, with a public development
SECRET_KEY that signed accepted tokens and a crash showing Django's debug page; deploy/env.example shipped a
realistic key that `check --deploy` accepted.

Each check runs Vigie in a subprocess with the environment an operator would give it."""

import re
import secrets
import subprocess
import time
import uuid

import jwt
import pytest

from tests.helpers import ROOT, fresh_python

HOSTS = "vigie.example.fr"
# The development key, public since the first commit, and the key that deploy/env.example shipped.
DEV_SECRET_KEY = "dev-insecure-vigie-secret-key-change-me-0123456789abcdefghijklmnop"
EXAMPLE_KEY = "replace-me-with-secrets-token-urlsafe-64-Zq8vX3kP9wR2mT7yB4nL6cF1hJ5dG0sA"


def strong() -> str:
    return secrets.token_urlsafe(64)


def run(code: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh Python with Django set up on backend.settings and only `env` of the operator's."""
    return fresh_python("-c", "import django; django.setup()\n" + code, *args, **env)


def production(**env: str) -> dict[str, str]:
    """A complete production environment (keys strong, distinct), `env` on top."""
    return {"ALLOWED_HOSTS": HOSTS, "SECRET_KEY": strong(), "JWT_SIGNING_KEY": strong(), **env}


def test_debug_is_off_unless_set():
    result = run("from django.conf import settings; print('DEBUG', settings.DEBUG)", **production())
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


@pytest.mark.parametrize(
    "secret_key",
    [None, "", "court-" + secrets.token_hex(8), "a" * 64, DEV_SECRET_KEY, EXAMPLE_KEY],
    ids=["missing", "empty", "short", "one-character", "development", "example"],
)
@pytest.mark.parametrize("debug", [None, "0"], ids=["debug-unset", "debug-0"])
def test_a_missing_short_development_or_example_key_is_refused(secret_key, debug):
    env = production()
    if secret_key is None:
        del env["SECRET_KEY"]
    else:
        env["SECRET_KEY"] = secret_key
    if debug is not None:
        env["DEBUG"] = debug
    result = run("print('started')", **env)
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_env_example_ships_no_key():
    text = (ROOT / "deploy" / "env.example").read_text()
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", text, flags=re.MULTILINE))
    assert values["SECRET_KEY"] == ""
    assert values.get("JWT_SIGNING_KEY") == ""
    assert EXAMPLE_KEY not in text
    assert "generate_secret_key" in text


VERIFY = """
import sys
from rest_framework_simplejwt.tokens import AccessToken
for raw in sys.argv[1:]:
    try:
        AccessToken(raw)
    except Exception:
        print("refused")
    else:
        print("accepted")
"""


def dev_tokens() -> list[str]:
    """Access tokens for user 1 signed with the development key, and with a key derived from it."""
    now = int(time.time())
    claims = {"token_type": "access", "exp": now + 600, "iat": now, "jti": uuid.uuid4().hex, "user_id": "1"}
    keys = [DEV_SECRET_KEY]
    try:
        from backend.core.keys import DEV_JWT_SIGNING_KEY
    except ImportError:  # before the fix there was no separate JWT key
        pass
    else:
        keys.append(DEV_JWT_SIGNING_KEY)
    return [jwt.encode(claims, key, algorithm="HS256") for key in keys]


def test_a_token_signed_with_the_development_key_is_refused_in_production():
    tokens = dev_tokens()
    # What an operator gets who sets the hosts and forgets the rest (DEBUG unset, no key).
    forgetful = run(VERIFY, *tokens, ALLOWED_HOSTS=HOSTS)
    assert "accepted" not in forgetful.stdout
    assert forgetful.returncode != 0
    # A proper production configuration.
    proper = run(VERIFY, *tokens, **production(DEBUG="0"))
    assert proper.returncode == 0, proper.stderr
    assert proper.stdout.split() == ["refused"] * len(tokens)


CRASH = """
import sys
from django.http import HttpResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import path

def boom(request):
    raise RuntimeError("secret-internals-of-vigie")

sys.modules["crash_urls"] = type(sys)("crash_urls")
sys.modules["crash_urls"].urlpatterns = [path("boom/", boom)]
with override_settings(ROOT_URLCONF="crash_urls", ALLOWED_HOSTS=["testserver"]):
    response = Client(raise_request_exception=False).get("/boom/", secure=True)
print("STATUS", response.status_code)
print(response.content.decode())
"""


def test_a_crash_shows_no_debug_page_by_default():
    result = run(CRASH, **production())
    assert result.returncode == 0, result.stderr
    page = result.stdout
    assert "STATUS 500" in page
    assert "secret-internals-of-vigie" not in page
    assert "Traceback" not in page
    assert "DEBUG = True" not in page
