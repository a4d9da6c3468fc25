"""Routes of this app: `api_urlpatterns` are mounted under /api/v1/, `urlpatterns` at the site root."""

from django.urls import URLPattern, URLResolver, path

from alerts.video import apis, web

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("video/cameras/", apis.CameraListApi.as_view(), name="video-cameras"),
    path("video/requests/", apis.FootageRequestListCreateApi.as_view(), name="video-requests"),
    path("video/requests/<int:pk>/", apis.FootageRequestDetailApi.as_view(), name="video-request"),
    path(
        "video/requests/<int:pk>/refuse/", apis.FootageRequestRefuseApi.as_view(), name="video-request-refuse"
    ),
    path(
        "video/requests/<int:pk>/extractions/",
        apis.ExtractionCreateApi.as_view(),
        name="video-request-extractions",
    ),
    path(
        "video/extractions/<int:pk>/destruction/",
        apis.DestructionCreateApi.as_view(),
        name="video-extraction-destruction",
    ),
    path("video/totals/", apis.MonthlyTotalsApi.as_view(), name="video-totals"),
    path("video/register.csv", apis.RegisterExportApi.as_view(), name="video-register-export"),
    path("video/observations/<int:pk>/", apis.FootageRequestedApi.as_view(), name="video-observation"),
]
urlpatterns: list[URLPattern | URLResolver] = [
    path("video/registre/", web.register_page, name="video-register"),
    path("video/registre.csv", web.register_csv_view, name="video-register-csv"),
    path("video/registre.pdf", web.register_pdf_view, name="video-register-pdf"),
    path("video/bilan/", web.totals_page, name="video-totals-page"),
]
