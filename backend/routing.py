"""Websocket routes of every app (wiring layer)."""

from alerts.console.routing import websocket_urlpatterns as console_routes
from backend.core.routing import websocket_urlpatterns as core_routes

websocket_urlpatterns = [*core_routes, *console_routes]
