"""Routes of the statistics: `api_urlpatterns` under /api/v1/, `urlpatterns` at the site root."""

from django.urls import URLPattern, URLResolver, path

from alerts.statistics import apis, web

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("statistics/", apis.StatisticsApi.as_view(), name="statistics-api"),
]
urlpatterns: list[URLPattern | URLResolver] = [
    path("statistiques/", web.statistics_page, name="statistics"),
    path("statistiques/export.csv", web.statistics_export_csv, name="statistics-csv"),
    path("statistiques/export.ods", web.statistics_export_ods, name="statistics-ods"),
    path("statistiques/rapport-annuel/<int:year>/", web.annual_report_page, name="statistics-annual"),
    path(
        "statistiques/rapport-annuel/<int:year>.pdf",
        web.annual_report_file,
        {"kind": "pdf"},
        name="statistics-annual-pdf",
    ),
    path(
        "statistiques/rapport-annuel/<int:year>.ods",
        web.annual_report_file,
        {"kind": "ods"},
        name="statistics-annual-ods",
    ),
]
