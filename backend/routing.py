"""Websocket routes of every app (wiring layer)."""

from backend.core.routing import websocket_urlpatterns as core_routes

websocket_urlpatterns = [*core_routes]
