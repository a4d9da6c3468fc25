"""Every API response a test receives is checked against the OpenAPI schema (drf-spectacular's, the
document served at /api/schema/), so that the documentation cannot drift from what the API returns.

- The test client (Django's and DRF's) is wrapped for the whole session: each response to a path under
  /api/v1/ is validated by openapi-core against the operation it reached (path, method, status code,
  content type, body).
- Objects are closed for the check (`additionalProperties: false` wherever the schema lists properties
  and says nothing else): a field returned but not documented fails as surely as a missing one.
- A path that a view answers but the schema does not hold fails too.
"""

import functools
import json
import re
from fnmatch import fnmatch
from typing import Any

import pytest
from django.test.client import Client
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

API_PREFIX = "/api/v1/"


@functools.cache
def api_schema() -> dict[str, Any]:
    """The schema as served (rendered to JSON, so lazy French strings are plain), with closed objects."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = json.loads(
        OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
    )
    _close_objects(document)
    return document


def _close_objects(node: Any) -> None:
    """Closes every object that lists its properties, and spells drf-spectacular's nullable reference
    (`allOf: [ref], nullable: true`, which OpenAPI 3.0 validators read as "ref, never null") as the
    "ref or null" it means."""
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        if node.get("nullable") and len(node.get("allOf", ())) == 1:
            node["oneOf"] = [node.pop("allOf")[0], {"enum": [None], "nullable": True}]
        for value in node.values():
            _close_objects(value)
    elif isinstance(node, list):
        for value in node:
            _close_objects(value)


@functools.cache
def _openapi() -> OpenAPI:
    return OpenAPI.from_dict(api_schema())


@functools.cache
def _templates() -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    """Path templates as patterns, those with fewer parameters first (`/referents/applications/`
    before `/referents/{id}/`)."""
    return [
        (re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$"), operations)
        for path, operations in sorted(api_schema()["paths"].items(), key=lambda item: item[0].count("{"))
    ]


def _operations(path: str) -> dict[str, Any]:
    for template, operations in _templates():
        if template.match(path):
            return operations
    raise AssertionError(f"{path} is answered by a view but is not in the OpenAPI schema")


class _Request(DjangoOpenAPIRequest):
    """The request as openapi-core reads it; the body was consumed by the view (and is not checked)."""

    @property
    def body(self) -> bytes:
        return b""


def response_check(response: Any) -> None:
    """Raises AssertionError when `response` (from the test client) is not what the schema documents.

    A response that no view gave (an unknown path: the JSON 404 of every /api/ path) is the error
    handler's; a method the path does not document must be answered 405. A body that is not JSON (CSV,
    CAP XML, photos) is checked for its documented media type, its content by its own tests."""
    request = response.wsgi_request
    if not request.path.startswith(API_PREFIX) or request.resolver_match is None:
        return
    openapi_request = _Request(request)
    # A `path` converter's value may hold slashes (a Web Push endpoint as a device's token): its route.
    operations = _operations(
        request.path if "<path:" not in request.resolver_match.route else str(openapi_request.path_pattern)
    )
    if openapi_request.method not in operations:
        assert response.status_code == 405, f"{request.method} {request.path} is not documented"
        return
    documented = operations[openapi_request.method]["responses"].get(str(response.status_code))
    assert documented is not None, (
        f"{request.method} {request.path} → {response.status_code} is not documented"
    )
    if not response.streaming and not response.content:
        assert "content" not in documented, (
            f"{request.method} {request.path} → {response.status_code} is empty"
        )
        return
    media_type = response.get("Content-Type", "").split(";")[0].strip()
    if media_type != "application/json":
        assert any(fnmatch(media_type, pattern) for pattern in documented.get("content", {})), (
            f"{request.method} {request.path} → {response.status_code} {media_type} is not documented"
        )
        return
    try:
        _openapi().validate_response(openapi_request, DjangoOpenAPIResponse(response))
    except Exception as error:  # openapi-core's errors nest the useful part in __cause__
        causes = [repr(error)]
        cause = error.__cause__
        while cause is not None:
            causes.append(repr(cause))
            for detail in getattr(cause, "schema_errors", ()) or ():
                causes.append(f"  at {list(detail.absolute_path)}: {detail.message}")
            cause = cause.__cause__
        body = response.content[:500].decode(errors="replace")
        raise AssertionError(
            f"{request.method} {request.path} → {response.status_code} does not match the OpenAPI schema:\n"
            + "\n".join(causes)
            + f"\nbody: {body}"
        ) from None


@pytest.fixture(autouse=True)
def _api_responses_match_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    original = Client.request

    def checked(self: Client, **kwargs: Any) -> Any:
        response = original(self, **kwargs)
        response_check(response)
        return response

    monkeypatch.setattr(Client, "request", checked)
