"""The permission matrix (issue 12, build item 2): every operation of the URL configuration × every role ×
own / other commune / not theirs, against the expected answers of tests/security/permission_matrix.py.

- Coverage is computed, not listed: the OpenAPI schema's operations, the page routes, the admin (its
  index and the list of every registered model) and the sockets. An operation without a row fails, and so
  does a row whose operation is gone.
- Every cell is a real request, as that role, on an object of the scope, inside a savepoint rolled back
  afterwards; the world is built once (in a transaction rolled back at the end).
- `VIGIE_MATRIX_PRINT=1` prints what was observed in the table's own format (and exercises operations that
  have no row yet, where their path parameters are known), to review and paste.
"""

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import transaction
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404

from tests.helpers import access_token_for
from tests.security import permission_matrix as matrix
from tests.security.conftest import towns_build
from tests.security.matrix_cells import run_row
from tests.security.matrix_world import COLUMNS, World, kind_of, without_second_factor, world_build

PRINT = os.environ.get("VIGIE_MATRIX_PRINT") == "1"
TABLE = matrix.parse()
HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# --- coverage: the operations of the URL configuration ------------------------------------------------

# Routes that cannot be a door, so have no row.
EXCLUDED = {
    # Only mounted with VIGIE_BENCH=1 (benchmarks/): an authenticated echo, never in a deployment.
    "POST /api/v1/bench/ping/",
}


def schema_operations() -> set[str]:
    """Every operation of the OpenAPI schema, as `manage.py spectacular` generates it."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    } - EXCLUDED


def _route(pattern: Any) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern))


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if getattr(pattern, "app_name", None) == "admin":
                continue  # the admin's operations are its registry's (admin_operations)
            yield from _walk(pattern.url_patterns, prefix + _route(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + _route(pattern.pattern), pattern


def _shape(path: str) -> str:
    return re.sub(r"\{\w+\}", "{}", path)


def page_routes() -> set[str]:
    """Every route that is not the API (the schema has those) nor the admin: the pages and webhooks.
    A route under /api/v1/ that the schema lacks is returned too: an undocumented door needs a row."""
    documented = {_shape(operation.partition(" ")[2]) for operation in schema_operations()}
    excluded = {_shape(operation.partition(" ")[2]) for operation in EXCLUDED}
    routes = set()
    for route, _pattern in _walk(get_resolver().url_patterns):
        path = "/" + route
        if path.startswith("/api/v1/") and _shape(path) in documented | excluded:
            continue
        routes.add(path)
    return routes


def admin_operations() -> set[str]:
    """The admin's index and the list of every model registered on the admin site."""
    operations = {"GET /admin/"}
    for model in admin.site._registry:
        operations.add(f"GET /admin/{model._meta.app_label}/{model._meta.model_name}/")
    return operations


def socket_operations() -> set[str]:
    from backend.routing import websocket_urlpatterns

    return {f"WS /{route}" for route, _pattern in _walk(websocket_urlpatterns)}


def _admin_route_exists(path: str) -> bool:
    from django.urls import resolve

    try:
        match = resolve(re.sub(r"\{\w+\}", "1", path))
    except Resolver404:
        return False
    # Named: the admin's catch-all (which answers any other path under /admin/) has no name.
    return match.namespace == "admin" and match.url_name is not None


@dataclass(frozen=True)
class Coverage:
    missing: list[str]  # operations without a row ("METHOD /path")
    missing_pages: list[str]  # page routes without a row (of any method)
    stale: list[str]  # rows whose operation is gone


def coverage(table: matrix.Table = TABLE) -> Coverage:
    api = schema_operations()
    pages = page_routes()
    admin_ops = admin_operations()
    sockets = socket_operations()
    rows = table.rows
    row_operations = {row.operation for row in rows}
    row_page_paths = {row.path.partition("?")[0] for row in rows if row.method != "WS"}
    missing = sorted(operation for operation in api | admin_ops | sockets if operation not in row_operations)
    missing_pages = sorted(path for path in pages if path not in row_page_paths)
    stale = []
    for row in rows:
        path = row.path.partition("?")[0]
        known = (
            row.operation in api | admin_ops | sockets
            or (row.method != "WS" and path in pages)
            or (path.startswith("/admin/") and row.method in ("GET", "POST") and _admin_route_exists(path))
        )
        if not known:
            stale.append(row.key)
    return Coverage(missing, missing_pages, stale)


def test_every_operation_has_a_row_and_every_row_an_operation() -> None:
    found = coverage()
    missing = found.missing + [f"{path} (a page: a row of any method)" for path in found.missing_pages]
    assert not missing, (
        "Operations without a row in tests/security/permission_matrix.py (add one per operation; "
        "VIGIE_MATRIX_PRINT=1 shows what they answer):\n  " + "\n  ".join(missing)
    )
    assert not found.stale, "Rows whose operation no longer exists:\n  " + "\n  ".join(found.stale)


def test_docs_security_shows_the_matrix() -> None:
    text = (Path(settings.BASE_DIR) / "docs" / "security.md").read_text(encoding="utf-8")
    start, end = text.find(matrix.DOCS_START), text.find(matrix.DOCS_END)
    assert 0 <= start < end, "docs/security.md lacks the permission-matrix markers"
    assert text[start : end + len(matrix.DOCS_END)] == matrix.docs_section(), (
        "docs/security.md shows another matrix than tests/security/permission_matrix.py: regenerate it with "
        "`.venv/bin/python -m tests.security.permission_matrix --write docs/security.md`"
    )


# --- the matrix, row by row ----------------------------------------------------------------------------

HTTP_ROWS = [row for row in TABLE.rows if row.method != "WS"]
SOCKET_ROWS = [row for row in TABLE.rows if row.method == "WS"]
OBSERVED: dict[str, tuple[tuple[str, ...], ...]] = {}


def _unlisted() -> list[str]:
    """Operations without a row whose path parameters this module knows how to fill (print mode)."""
    if not PRINT:
        return []
    found = coverage()
    keys = set()
    for operation in found.missing + [f"GET {path}" for path in found.missing_pages]:
        method, _space, path = operation.partition(" ")
        if method == "WS" or ("{" in path and kind_of(path) is None):
            continue
        keys.add(operation)
    return sorted(keys)


UNLISTED = _unlisted()


@pytest.fixture(scope="class")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """Built once, in a transaction rolled back after the last row (each row's test is a savepoint in it,
    each cell a savepoint in that). Class-scoped: it must be gone before the socket test, whose threads
    need the database to themselves."""
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, SMS_BACKEND="locmem", PUSH_BACKEND="locmem"),
        transaction.atomic(),
    ):
        cache.clear()
        yield world_build(media)
        transaction.set_rollback(True)


@pytest.fixture(scope="module", autouse=True)
def _print_observed(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if PRINT and OBSERVED:
        text = matrix.render(TABLE, cells=OBSERVED)
        capture = request.config.pluginmanager.getplugin("capturemanager")
        with capture.global_and_fixture_disabled():
            sys.stdout.write("\n--- the permission matrix as observed (VIGIE_MATRIX_PRINT=1) ---\n" + text)


@pytest.mark.django_db
class TestTheDoors:
    @pytest.mark.parametrize("row", HTTP_ROWS, ids=[row.key for row in HTTP_ROWS])
    def test_each_door_answers_each_role_as_the_matrix_says(
        self, world: World, row: matrix.Row, settings: Any
    ) -> None:
        settings.MEDIA_ROOT = world.media
        result = run_row(world, row.method, row.path, row)
        OBSERVED[row.key] = result.cells
        assert not result.wrong, f"{row.key}: cells that differ from the matrix:\n  " + "\n  ".join(
            result.wrong
        )

    if UNLISTED:

        @pytest.mark.parametrize("operation", UNLISTED)
        def test_operation_without_a_row_as_observed(
            self, world: World, operation: str, settings: Any
        ) -> None:
            """Print mode only: what an operation without a row answers, for the printed matrix."""
            settings.MEDIA_ROOT = world.media
            method, _space, path = operation.partition(" ")
            OBSERVED[operation] = run_row(world, method, path, None).cells


# --- the sockets ---------------------------------------------------------------------------------------


def _socket(path: str, token: str | None) -> str:
    """The socket's answer: ok (accepted, its first message came), or its close code."""

    async def run() -> str:
        query = f"?token={token}" if token else ""
        communicator = WebsocketCommunicator(_asgi(), f"{path}{query}")
        connected, code = await communicator.connect(timeout=10)
        if not connected:
            return str(code if code not in (None, 1000) else 403)
        message = await communicator.receive_output(timeout=10)
        await communicator.disconnect()
        return str(message.get("code")) if message["type"] == "websocket.close" else "ok"

    return async_to_sync(run)()


def _asgi() -> Any:
    from backend.asgi import application

    return application


@pytest.mark.django_db(transaction=True)
def test_the_sockets_answer_each_role_as_the_matrix_says(commune: Any, other_commune: Any) -> None:
    """Real threads (channels' database_sync_to_async): a world of its own, in a transactional test."""
    towns = towns_build(commune, other_commune)
    wrong = []
    for row in SOCKET_ROWS:
        shown = []
        for role in matrix.ROLES:
            user = None if role == "anonymous" else towns.people[COLUMNS[role]]
            got = _socket(row.path, access_token_for(user) if user is not None else None)
            expected = row.expected(role, None)
            if got != expected:
                wrong.append(f"{row.key} {role}: expected {expected}, got {got}")
            shown.append(got)
            if role in matrix.STAFF and expected not in matrix.REFUSALS:
                plain = _socket(row.path, access_token_for(user, second_factor=False))
                if (plain == "ok") != (row.key in matrix.SIGNED_IN_DOORS):
                    wrong.append(f"{row.key} {without_second_factor(role)}: got {plain}")
        OBSERVED[row.key] = tuple((answer,) for answer in shown)
    assert not wrong, "sockets that differ from the matrix:\n  " + "\n  ".join(wrong)
