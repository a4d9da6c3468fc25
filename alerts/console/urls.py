"""Routes of this app: `api_urlpatterns` are mounted under /api/v1/, `urlpatterns` at the site root."""

from django.urls import URLPattern, URLResolver, path
from django.views.i18n import JavaScriptCatalog

from alerts.console import apis, emergency_pages, web

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("console/state/", apis.ConsoleStateApi.as_view(), name="console-state"),
    path("console/preferences/", apis.ConsolePreferenceApi.as_view(), name="console-preferences"),
    path("console/suggestions/", apis.ConsoleSuggestionsApi.as_view(), name="console-suggestions"),
    path("console/observations/", apis.ConsoleSearchApi.as_view(), name="console-search"),
    path(
        "console/observations/<int:observation_id>/",
        apis.ConsoleObservationApi.as_view(),
        name="console-observation",
    ),
]
urlpatterns: list[URLPattern | URLResolver] = [
    path("console/", web.console_page, name="console"),
    path("agents/", web.staff_home, name="staff-home"),
    path("console/photos/<int:photo_id>/", web.console_photo_view, name="console-photo"),
    path("console/fiche/<int:dispatch_id>/", web.incident_sheet_page, name="console-sheet"),
    path("console/fiche/<int:dispatch_id>.pdf", web.incident_sheet_pdf_view, name="console-sheet-pdf"),
    path("console/urgence/", emergency_pages.emergency_list_page, name="console-emergency-list"),
    path(
        "console/urgence/<int:activation_id>/",
        emergency_pages.emergency_report_page,
        name="console-emergency",
    ),
    path(
        "console/urgence/<int:activation_id>/rapport.pdf",
        emergency_pages.emergency_report_pdf_view,
        name="console-emergency-pdf",
    ),
    # gettext/interpolate for console.js; this app's djangojs catalogue only (French is the source text)
    path("console/jsi18n/", JavaScriptCatalog.as_view(packages=["alerts.console"]), name="console-jsi18n"),
]
