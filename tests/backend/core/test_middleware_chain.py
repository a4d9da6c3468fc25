"""Under daphne, each crossing between the event loop and a thread waits for the loop: the middleware
chain must run in one thread per request (settings.MIDDLEWARE ends with a sync-only middleware), not hop
to a thread and back around every middleware."""

from typing import Any

import pytest
from asgiref import sync
from channels.testing import HttpCommunicator
from django.core.asgi import get_asgi_application


@pytest.mark.django_db(transaction=True)
async def test_an_api_request_crosses_to_threads_a_handful_of_times(monkeypatch: Any) -> None:
    crossings: list[str] = []
    original = sync.SyncToAsync.__call__

    async def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        crossings.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(sync.SyncToAsync, "__call__", counting)
    communicator = HttpCommunicator(
        get_asgi_application(), "GET", "/api/v1/categories/", headers=[(b"host", b"localhost")]
    )
    response = await communicator.get_response()
    assert response["status"] == 401  # through the whole chain to DRF's authentication
    # The signals (request_started, request_finished), the chain, the view, the response's close: with
    # the async-capable Django middleware in async mode it was 18, two per middleware.
    assert len(crossings) <= 6, crossings
