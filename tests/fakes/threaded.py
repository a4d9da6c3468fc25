"""What the fakes' servers share: an aiohttp application served from a background thread with its own
event loop, on 127.0.0.1 and a free port."""

import asyncio
import ssl
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Self

from aiohttp import web


class ThreadedServer(ABC):
    """`start()` serves (each fake says what), `stop()` ends the loop and its thread; `with` does both."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    @abstractmethod
    def start(self) -> Self: ...

    def _serve(
        self, make_app: Callable[[], web.Application], ssl_context: ssl.SSLContext | None = None
    ) -> int:
        """Starts the thread and serves the application, made in its loop; the port."""
        self._thread.start()
        return asyncio.run_coroutine_threadsafe(self._setup(make_app, ssl_context), self._loop).result(
            timeout=10
        )

    async def _setup(
        self, make_app: Callable[[], web.Application], ssl_context: ssl.SSLContext | None
    ) -> int:
        self._runner = web.AppRunner(make_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        return int(self._runner.addresses[0][1])

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
