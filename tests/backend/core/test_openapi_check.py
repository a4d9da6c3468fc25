"""The check that every API response in the suite meets the OpenAPI schema (tests/plugins/openapi.py)
catches drift: a field returned but not documented, one documented but missing, a wrong type, an
undocumented status."""

import json

import pytest

from tests import factories
from tests.helpers import api_client_for
from tests.plugins.openapi import response_check


@pytest.fixture
def me_response(db):
    """A real answer of GET /api/v1/me/ (already checked by the plugin when the client returned it)."""
    referent = factories.user(commune=factories.commune())
    response = api_client_for(referent).get("/api/v1/me/")
    assert response.status_code == 200
    return response


def _with_body(response, body) -> None:
    response.content = json.dumps(body).encode()


def test_a_documented_answer_passes(me_response) -> None:
    response_check(me_response)


def test_a_field_returned_but_not_documented_fails(me_response) -> None:
    _with_body(me_response, {**me_response.json(), "photo_count": 0})
    with pytest.raises(AssertionError, match="photo_count"):
        response_check(me_response)


def test_a_documented_field_missing_fails(me_response) -> None:
    body = me_response.json()
    del body["role"]
    _with_body(me_response, body)
    with pytest.raises(AssertionError, match="role"):
        response_check(me_response)


def test_a_wrong_type_fails(me_response) -> None:
    _with_body(me_response, {**me_response.json(), "id": "un"})
    with pytest.raises(AssertionError, match="is not of type 'integer'"):
        response_check(me_response)


def test_an_undocumented_status_fails(me_response) -> None:
    me_response.status_code = 418
    with pytest.raises(AssertionError, match="418 is not documented"):
        response_check(me_response)
