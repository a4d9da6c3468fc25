"""ASGI entry point for daphne: HTTP through Django, websockets through channels behind WebsocketGuard."""

import gc
import logging
import os
import sys

from django.conf import settings
from django.core.asgi import get_asgi_application

from backend.core.keys import DEV_SECRET_KEY

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django_asgi_app = get_asgi_application()
if settings.DEBUG:
    logging.getLogger("vigie").warning(
        "DEBUG is on%s: development mode, never expose this instance.",
        " with the development SECRET_KEY" if settings.SECRET_KEY == DEV_SECRET_KEY else "",
    )

# Imported after Django is set up: routes import models.
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from backend.core.metrics import WebsocketMetrics  # noqa: E402
from backend.core.middleware import (  # noqa: E402
    FinishWhenCancelled,
    RequestBodyLimit,
    hold_stop_while_busy,
)
from backend.core.websocket import WebsocketGuard  # noqa: E402
from backend.routing import websocket_urlpatterns  # noqa: E402

# The objects made at start-up (Django, the URL conf, the models' metadata: most of the heap) never die:
# frozen, the collector no longer walks them in every full collection; and with fewer young-generation
# collections under load, the server's pauses no longer show as a tail in request and event latencies
# (benchmarks/console_latency.py: p99 at 40 submissions/s went from ~156 ms to ~53 ms).
gc.freeze()
gc.set_threshold(20_000, 50, 100)
# One process carries the sockets' event loop and the requests' threads: a thread holding the GIL keeps
# the loop (websocket frames, HTTP reads) waiting up to the switch interval, 5 ms by default, per turn.
sys.setswitchinterval(0.001)

application = ProtocolTypeRouter(
    {
        # Chunked bodies too are held to REQUEST_BODY_MAX_BYTES, before Django reads them; a request
        # cancelled by a stopping daphne still ends as usual.
        "http": RequestBodyLimit(FinishWhenCancelled(django_asgi_app)),
        "websocket": WebsocketMetrics(WebsocketGuard(URLRouter(websocket_urlpatterns))),
    }
)
# A plain daphne stopping on SIGTERM waits for the requests its threads serve (else it never exits).
hold_stop_while_busy()
