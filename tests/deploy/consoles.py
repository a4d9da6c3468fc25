"""Live consoles for the scale test: websockets to /ws/console/ in a background thread."""

import asyncio
import json
import threading
from dataclasses import dataclass, field
from typing import Any

import aiohttp


@dataclass
class Console:
    name: str
    url: str
    groups: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    connected: threading.Event = field(default_factory=threading.Event)

    def event_ids(self, after: int = 0) -> list[int]:
        return [int(event["id"]) for event in list(self.events) if int(event["id"]) > after]


class ConsolePool:
    """Opens every console in one event loop of its own thread; `close()` ends them."""

    def __init__(self, consoles: list[Console]) -> None:
        self.consoles = consoles
        self.loop = asyncio.new_event_loop()
        self.stopping: asyncio.Event | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.errors: list[BaseException] = []

    def __enter__(self) -> "ConsolePool":
        self.thread.start()
        for console in self.consoles:
            if not console.connected.wait(timeout=30):
                raise AssertionError(f"console {console.name} did not connect: {self.errors}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.stopping is not None:
            self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(timeout=30)

    def _run(self) -> None:
        self.loop.run_until_complete(self._main())

    async def _main(self) -> None:
        self.stopping = asyncio.Event()
        async with aiohttp.ClientSession() as session:
            tasks = [asyncio.create_task(self._console(session, console)) for console in self.consoles]
            await self.stopping.wait()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _console(self, session: aiohttp.ClientSession, console: Console) -> None:
        try:
            async with session.ws_connect(console.url, heartbeat=20) as socket:
                async for message in socket:
                    if message.type != aiohttp.WSMsgType.TEXT:
                        break
                    data = json.loads(message.data)
                    if data.get("type") == "hello":
                        console.groups = list(data["groups"])
                        console.connected.set()
                    elif "id" in data:
                        console.events.append(data)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # reported by the test through pool.errors
            self.errors.append(exc)
            console.connected.set()
