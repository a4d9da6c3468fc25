from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from backend.core.parsers import message_decode
from backend.core.websocket import CLOSE_UNAUTHENTICATED


class PingConsumer(AsyncJsonWebsocketConsumer):
    """/ws/ping/: answers who the socket is authenticated as (clients check their credentials with it)."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.accept()
        await self.send_json({"type": "hello", "user": user.pk, "auth": self.scope.get("auth_method")})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.send_json({"type": "pong"})

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        return message_decode(text_data)
