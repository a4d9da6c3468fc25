"""URL wiring: each app's routes; every app's API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import alerts.broadcasts.urls
import alerts.console.urls
import alerts.console.web
import alerts.privacy.urls
import alerts.statistics.urls
import alerts.urls
import alerts.video.urls
import alerts.watch_cell.urls
import commerces.urls
import neighbours.holiday_watch.urls
import neighbours.urls
from backend.accounts.urls import api_urlpatterns as accounts_api
from backend.core import health, legal, metrics
from backend.messaging.apis import DeviceRegisterApi, DeviceUnregisterApi, WebPushConfigApi
from backend.territory.apis import SectorListApi

api_v1 = [
    *accounts_api,
    path("sectors/", SectorListApi.as_view(), name="sectors"),
    path("devices/", DeviceRegisterApi.as_view(), name="devices"),
    # `path`: a Web Push subscription's token is its endpoint URL (slashes, plain or percent-encoded).
    path("devices/<path:token>/", DeviceUnregisterApi.as_view(), name="device"),
    *alerts.privacy.urls.api_urlpatterns,
    path("push/web/", WebPushConfigApi.as_view(), name="push-web"),
    *alerts.statistics.urls.api_urlpatterns,
    *alerts.urls.api_urlpatterns,
    *alerts.broadcasts.urls.api_urlpatterns,
    *alerts.console.urls.api_urlpatterns,
    *alerts.video.urls.api_urlpatterns,
    *neighbours.urls.api_urlpatterns,
    *neighbours.holiday_watch.urls.api_urlpatterns,
    *commerces.urls.api_urlpatterns,
]

handler404 = "backend.core.exceptions.handler404"
handler500 = "backend.core.exceptions.handler500"

urlpatterns = [
    path("", alerts.console.web.home_page, name="home"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url="/static/vigie/favicon.svg", permanent=True)),
    path("healthz", health.healthz, name="healthz"),
    path("livez", health.livez, name="livez"),
    path("readyz", health.healthz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("accessibilite/", legal.accessibility_page, name="accessibility"),
    path("mentions-legales/", legal.legal_notice_page, name="legal-notice"),
    *alerts.privacy.urls.urlpatterns,
    path("admin/", admin.site.urls),
    path("", include("backend.accounts.urls")),
    *alerts.statistics.urls.urlpatterns,
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    *alerts.urls.urlpatterns,
    *alerts.broadcasts.urls.urlpatterns,
    *alerts.console.urls.urlpatterns,
    *alerts.video.urls.urlpatterns,
    *alerts.watch_cell.urls.urlpatterns,
    *neighbours.urls.urlpatterns,
    *neighbours.holiday_watch.urls.urlpatterns,
    *commerces.urls.urlpatterns,
]
