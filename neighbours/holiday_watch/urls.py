"""Routes of the holiday watch: `api_urlpatterns` under /api/v1/, `urlpatterns` at the site root."""

from django.urls import URLPattern, URLResolver, include, path

from neighbours.holiday_watch import apis, web

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("holiday-watch/", apis.WatchRequestListApi.as_view(), name="holiday-watch"),
    path(
        "holiday-watch/<int:request_id>/", apis.WatchRequestCancelApi.as_view(), name="holiday-watch-cancel"
    ),
]

web_patterns = [
    path("", web.start, name="start"),
    path("code/", web.code, name="code"),
    path("demande/", web.request_form, name="request"),
    path("mes-demandes/", web.mine, name="mine"),
    path("patrouille/", web.patrol, name="patrol"),
    path("patrouille/<int:request_id>/", web.pass_log, name="pass"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("tranquillite-vacances/", include((web_patterns, "holiday-watch"))),
]
