"""Routes of this app: `api_urlpatterns` are mounted under /api/v1/, `urlpatterns` at the site root."""

from django.urls import URLPattern, URLResolver, path

from alerts.broadcasts import apis

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("broadcasts/", apis.BroadcastListCreateApi.as_view(), name="broadcasts"),
    path("broadcasts/preview/", apis.BroadcastPreviewApi.as_view(), name="broadcast-preview"),
    path("broadcasts/prefill/", apis.BroadcastPrefillApi.as_view(), name="broadcast-prefill"),
    path("broadcasts/<int:broadcast_id>/", apis.BroadcastDetailApi.as_view(), name="broadcast"),
    path(
        "broadcasts/<int:broadcast_id>/approve/", apis.BroadcastApproveApi.as_view(), name="broadcast-approve"
    ),
    path("broadcasts/<int:broadcast_id>/update/", apis.BroadcastUpdateApi.as_view(), name="broadcast-update"),
    path("broadcasts/<int:broadcast_id>/cancel/", apis.BroadcastCancelApi.as_view(), name="broadcast-cancel"),
    path("broadcasts/<int:broadcast_id>/cap.xml", apis.BroadcastCapApi.as_view(), name="broadcast-cap"),
    path("inbox/", apis.InboxListApi.as_view(), name="inbox"),
    path("inbox/<int:notification_id>/read/", apis.InboxReadApi.as_view(), name="inbox-read"),
]
urlpatterns: list[URLPattern | URLResolver] = []
