from django.urls import URLPattern, URLResolver, path

from alerts.console.consumers import ConsoleConsumer

websocket_urlpatterns: list[URLPattern | URLResolver] = [path("ws/console/", ConsoleConsumer.as_asgi())]
