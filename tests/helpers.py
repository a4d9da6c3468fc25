"""Plain helpers shared by the tests (fixtures live in conftest.py): tokens, API clients, SMS codes."""

import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from backend.accounts.second_factor import AMR_CLAIM, STAFF_AMR
from backend.messaging.backends import locmem
from backend.messaging.worker import drain


def sms_code(phone: str | None = None) -> str:
    """The 6-digit code of the newest SMS (to `phone`, E.164, when given). Codes leave through the outbox:
    the worker's drain() sends what is queued first, as the worker would just after the request."""
    drain()
    for sms in reversed(locmem.sms_outbox):
        match = re.search(r"code est (\d{6})\b", sms.body)
        if match and (phone is None or sms.to == phone):
            return match.group(1)
    raise AssertionError(f"no SMS to {phone or 'anyone'} in {locmem.sms_outbox}")


def access_token_for(user: Any, *, second_factor: bool | None = None) -> str:
    """A JWT as Vigie issues it: a staff member's records the second factor (POST /auth/staff/token/),
    anyone else's does not (an SMS code). `second_factor=False` makes a staff token without it."""
    refresh = RefreshToken.for_user(user)
    if user.is_staff if second_factor is None else second_factor:
        refresh[AMR_CLAIM] = list(STAFF_AMR)
    return str(refresh.access_token)


def api_client_for(user: Any | None = None, *, second_factor: bool | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        token = access_token_for(user, second_factor=second_factor)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


LOGIN = "/connexion/"
PASSWORD = "motdepasse-solide-42"


def totp_now(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def post_login(client, user, *, password: str = PASSWORD, code: str, **extra):
    return client.post(LOGIN, {"phone": str(user.phone), "password": password, "otp_token": code, **extra})


def staff_login(client, user, device) -> None:
    response = post_login(client, user, code=totp_now(device))
    assert response.status_code == 302, response.content.decode()


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Runs the calls at the same instant, each in a thread with its own connection: results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the loser's Conflict is the point
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def admin_form_post(client: Client, url: str, **changes: Any) -> Any:
    """Posts the admin's change form at `url` as it is, with `changes`."""
    form = client.get(url).context["adminform"].form
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    data.update(changes)
    return client.post(url, data)


def signed_in(user: Any, *, verified: bool = True) -> Client:
    client = Client()
    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


ROOT = Path(__file__).resolve().parent.parent
# The settings an operator gives production; a fresh process gets none of this process's.
OPERATOR_ENV = {"SECRET_KEY", "JWT_SIGNING_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_SETTINGS_MODULE"}


def fresh_python(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python <argv>` at the project's root on backend.settings, with only `env` of the operator's
    settings (the tests' own are left out)."""
    clean = {key: value for key, value in os.environ.items() if key not in OPERATOR_ENV}
    return subprocess.run(
        [sys.executable, *argv],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "backend.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
