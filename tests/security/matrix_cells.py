"""One cell of the permission matrix: a request as a role on an object of a scope, and what was seen
(tests/security/test_permission_matrix.py)."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from rest_framework.test import APIClient

from tests.security import permission_matrix as matrix
from tests.security.matrix_world import BODIES, World, url_for, without_second_factor

# --- one cell: a request as a role on an object of a scope -------------------------------------------

LOGIN_PATHS = ("/connexion/", "/commerces/connexion/", "/admin/login/")


@dataclass(frozen=True)
class Seen:
    answer: str  # a token of the table when the status is one, else the status
    status: int

    def matches(self, expected: str) -> bool:
        if expected == "ok":
            return self.answer not in matrix.REFUSALS and self.status < 500 and self.status not in (405, 429)
        return self.answer == expected

    def shown(self, expected: str | None, *, page: bool) -> str:
        """How the printed matrix writes it: the expected token when it matches, else what it was."""
        if expected is not None and self.matches(expected):
            return expected
        if self.answer in matrix.REFUSALS or self.status >= 500 or self.status in (405, 429):
            return self.answer
        return "200" if page and self.status == 200 else "ok"


def _seen(url: str, response: HttpResponseBase) -> Seen:
    status = response.status_code
    if status in (301, 302, 303):
        location = response.get("Location", "").partition("?")[0]
        if location.endswith(LOGIN_PATHS):
            return Seen("302", status)
        if url.startswith("/admin/") and location == "/admin/" and url != "/admin/":
            # The admin's answer to a row it does not show this user: back to its index, "not found".
            return Seen("404", status)
        return Seen(f"{status} to {location}", status)  # a redirect elsewhere: let through
    return Seen(str(status), status)


# One client of each kind for every cell: a new one would load the middleware again (whitenoise's scan
# of the static files alone is ~80 ms). Their credentials and cookies are reset before each request.
_CLIENTS: dict[str, Client] = {}


# Requests come from an address of the Internet (TEST-NET-3), not from the loopback that some doors
# trust (/metrics in development).
REMOTE_ADDR = "203.0.113.7"


def _client(kind: str) -> Client:
    if kind not in _CLIENTS:
        client_class = APIClient if kind == "api" else Client
        _CLIENTS[kind] = client_class(raise_request_exception=False, REMOTE_ADDR=REMOTE_ADDR)
    client = _CLIENTS[kind]
    client.cookies.clear()
    return client


def _send(world: World, method: str, url: str, who: str, body: dict[str, Any]) -> HttpResponseBase:
    """The request with `who`'s credentials (a role, or a role without the second factor)."""
    if url.startswith("/api/v1/"):
        api = _client("api")
        assert isinstance(api, APIClient)
        api.credentials(
            **({"HTTP_AUTHORIZATION": f"Bearer {world.tokens[who]}"} if who != "anonymous" else {})
        )
        multipart = any(isinstance(value, SimpleUploadedFile) for value in body.values())
        return getattr(api, method.lower())(url, body, format="multipart" if multipart else "json")
    browser = _client("browser")
    if who != "anonymous":
        browser.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[who]
    response = browser.get(url) if method == "GET" else getattr(browser, method.lower())(url, body)
    if response.status_code == 302 and response["Location"].startswith("/admin/login/"):
        # The admin sends whoever it refuses to its login view, which answers for the role: a staff
        # sign-in page for strangers, a refusal (403) for staff that the policy keeps out.
        response = browser.get(response["Location"])
    return response


def exercise(
    world: World, method: str, path: str, role: str, scope: str | None, *, second_factor: bool = True
) -> Seen:
    url = url_for(world, path, role, scope)
    body = BODIES.get(f"{method} {path}", lambda w, r, s: {})(world, role, scope)
    who = role if second_factor else without_second_factor(role)
    with transaction.atomic():
        cache.clear()  # throttles and code limits start afresh in every cell
        response = _send(world, method, url, who, body)
        seen = _seen(url, response)
        if response.streaming:  # read to the end: the test client then closes it (a photo's file)
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
        transaction.set_rollback(True)
    return seen


@dataclass
class RowResult:
    cells: tuple[tuple[str, ...], ...]
    wrong: list[str]


def run_row(world: World, method: str, path: str, row: matrix.Row | None) -> RowResult:
    scopes: tuple[str | None, ...] = matrix.SCOPES if "{" in path else (None,)
    page = not path.startswith("/api/v1/")
    cells, wrong = [], []
    for role in matrix.ROLES:
        shown = []
        for scope in scopes:
            seen = exercise(world, method, path, role, scope)
            expected = row.expected(role, scope) if row is not None else None
            if expected is not None and not seen.matches(expected):
                where = f"{role} / {scope}" if scope else role
                wrong.append(f"{where}: expected {expected}, got {seen.status} ({seen.answer})")
            shown.append(seen.shown(expected, page=page))
        cells.append(tuple(shown) if len(set(shown)) > 1 else (shown[0],))
    if row is not None:
        wrong += second_factor_wrong(world, row)
    return RowResult(tuple(cells), wrong)


def second_factor_wrong(world: World, row: matrix.Row) -> list[str]:
    """A door that is not public and lets a staff role through must refuse that role's credentials
    without the second factor (on its own object), unless it is one of matrix.SIGNED_IN_DOORS."""
    if row.expected("anonymous", None) not in matrix.REFUSALS:
        return []
    scope = matrix.SCOPES[0] if row.scoped else None
    wrong = []
    for role in matrix.STAFF:
        if row.expected(role, scope) in matrix.REFUSALS:
            continue
        seen = exercise(world, row.method, row.path, role, scope, second_factor=False)
        passes = row.key in matrix.SIGNED_IN_DOORS
        if seen.matches("ok") != passes:
            wanted = "let through (a signed-in door)" if passes else "a refusal"
            wrong.append(
                f"{without_second_factor(role)}: expected {wanted}, got {seen.status} ({seen.answer})"
            )
    return wrong
