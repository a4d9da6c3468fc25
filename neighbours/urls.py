"""Routes of this app: `api_urlpatterns` are mounted under /api/v1/, `urlpatterns` at the site root."""

from django.urls import URLPattern, URLResolver, path

from neighbours import apis

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("referents/", apis.ReferentListApi.as_view(), name="referents"),
    path("referents/export.csv", apis.ReferentExportApi.as_view(), name="referents-export"),
    path("referents/me/", apis.ReferentMeApi.as_view(), name="referents-me"),
    path("referents/me/charter/", apis.CharterAcceptApi.as_view(), name="referents-me-charter"),
    path("referents/applications/", apis.ApplicationCreateApi.as_view(), name="referents-applications"),
    path("referents/invitations/", apis.InvitationApi.as_view(), name="referents-invitations"),
    path(
        "referents/invitations/<str:code>/accept/",
        apis.InvitationAcceptApi.as_view(),
        name="referents-invitation-accept",
    ),
    path("referents/<int:pk>/", apis.ReferentDetailApi.as_view(), name="referent"),
    path("referents/<int:pk>/approve/", apis.ReferentApproveApi.as_view(), name="referent-approve"),
    path("referents/<int:pk>/refuse/", apis.ReferentRefuseApi.as_view(), name="referent-refuse"),
    path("referents/<int:pk>/suspend/", apis.ReferentSuspendApi.as_view(), name="referent-suspend"),
    path("referents/<int:pk>/end/", apis.ReferentEndApi.as_view(), name="referent-end"),
    path("me/preferences/", apis.PreferencesApi.as_view(), name="me-preferences"),
]
urlpatterns: list[URLPattern | URLResolver] = []
