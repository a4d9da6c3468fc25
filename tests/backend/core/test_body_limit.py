"""REQUEST_BODY_MAX_BYTES holds for chunked bodies too (no Content-Length): the ASGI application counts
the bytes as they arrive and answers 413 in the API's error shape, before Django reads the body."""

import http.client
import json
from collections.abc import Iterator

import pytest
from asgiref.testing import ApplicationCommunicator

from backend.asgi import application
from backend.core.middleware import RequestBodyLimit
from tests.live import start_daphne

LIMIT = 4096


def scope(headers: list[tuple[bytes, bytes]]) -> dict[str, object]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/observations/",
        "raw_path": b"/api/v1/observations/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }


async def respond(headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, dict[str, object]]:
    seen: list[bytes] = []

    async def django(scope, receive, send):  # stands for Django: reads the whole body, then answers
        while True:
            message = await receive()
            seen.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b'{"ok": true}'})

    communicator = ApplicationCommunicator(RequestBodyLimit(django), scope(headers))
    for index, chunk in enumerate(chunks):
        await communicator.send_input(
            {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        )
    start = await communicator.receive_output(timeout=5)
    body = await communicator.receive_output(timeout=5)
    await communicator.wait(timeout=5)
    return start["status"], json.loads(body["body"])


async def test_a_chunked_body_over_the_limit_is_a_413_in_the_error_shape(settings):
    settings.REQUEST_BODY_MAX_BYTES = LIMIT
    status, body = await respond([], [b"x" * 1000] * 5)
    assert status == 413
    assert body == {"detail": "La requête est trop volumineuse (0 Mo au plus).", "errors": {}}


async def test_a_chunked_body_within_the_limit_reaches_the_application(settings):
    settings.REQUEST_BODY_MAX_BYTES = LIMIT
    assert await respond([], [b"x" * 1000] * 4) == (201, {"ok": True})


async def test_a_declared_length_over_the_limit_is_refused_before_reading(settings):
    settings.REQUEST_BODY_MAX_BYTES = LIMIT
    communicator = ApplicationCommunicator(application, scope([(b"content-length", b"999999999")]))
    start = await communicator.receive_output(timeout=5)  # nothing sent: refused on the header alone
    assert start["status"] == 413
    await communicator.receive_output(timeout=5)
    await communicator.wait(timeout=5)


@pytest.fixture(scope="module")
def small_daphne(tmp_path_factory: pytest.TempPathFactory, django_db_setup, django_db_blocker) -> Iterator:
    server = start_daphne(tmp_path_factory.mktemp("body-limit"), {"REQUEST_BODY_MAX_BYTES": str(LIMIT)})
    yield server
    server.stop()


def post_chunked(port: int, chunks: list[bytes]) -> tuple[int, dict[str, object]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            "/api/v1/auth/otp/",
            body=iter(chunks),
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_real_daphne_refuses_a_chunked_body_over_the_limit(small_daphne):
    body = json.dumps({"phone": "0612345678", "padding": "x" * (3 * LIMIT)}).encode()
    chunks = [body[start : start + 1000] for start in range(0, len(body), 1000)]
    status, answer = post_chunked(small_daphne.port, chunks)
    assert status == 413
    assert "volumineuse" in str(answer["detail"])
    # The same endpoint with a small chunked body is served as usual (a 4xx/2xx of the view, never 413).
    status, _answer = post_chunked(small_daphne.port, [b'{"phone": ', b'"0612345678"}'])
    assert status != 413
