"""Routes of this app: `api_urlpatterns` are mounted under /api/v1/, `urlpatterns` at the site root."""

from django.urls import URLPattern, URLResolver, path
from django.views.i18n import JavaScriptCatalog

from neighbours import web
from neighbours.apis import coordination, enrolment, invitations, me, preferences

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("referents/", coordination.ReferentListApi.as_view(), name="referents"),
    path("referents/export.csv", coordination.ReferentExportApi.as_view(), name="referents-export"),
    path("referents/me/", me.ReferentMeApi.as_view(), name="referents-me"),
    path("referents/me/charter/", me.CharterAcceptApi.as_view(), name="referents-me-charter"),
    path("referents/applications/", enrolment.ApplicationCreateApi.as_view(), name="referents-applications"),
    path("referents/invitations/", invitations.InvitationApi.as_view(), name="referents-invitations"),
    path(
        "referents/invitations/<str:code>/accept/",
        enrolment.InvitationAcceptApi.as_view(),
        name="referents-invitation-accept",
    ),
    path("referents/<int:pk>/", coordination.ReferentDetailApi.as_view(), name="referent"),
    path("referents/<int:pk>/approve/", coordination.ReferentApproveApi.as_view(), name="referent-approve"),
    path("referents/<int:pk>/refuse/", coordination.ReferentRefuseApi.as_view(), name="referent-refuse"),
    path("referents/<int:pk>/suspend/", coordination.ReferentSuspendApi.as_view(), name="referent-suspend"),
    path("referents/<int:pk>/end/", coordination.ReferentEndApi.as_view(), name="referent-end"),
    path("me/preferences/", preferences.PreferencesApi.as_view(), name="me-preferences"),
]
# The referents' web app (neighbours/web.py): public shells, the API decides everything.
urlpatterns: list[URLPattern | URLResolver] = [
    path("app/", web.report_page, name="app"),
    path("app/connexion/", web.signin_page, name="app-signin"),
    path("app/charte/", web.charter_page, name="app-charter"),
    path("app/signalements/", web.my_reports_page, name="app-my-reports"),
    path("app/messages/", web.messages_page, name="app-messages"),
    path("app/preferences/", web.preferences_page, name="app-preferences"),
    path("app/protocole/", web.protocol_page, name="app-protocol"),
    path("app/deconnexion/", web.signout_page, name="app-signout"),
    path("app/manifest.webmanifest", web.manifest_view, name="app-manifest"),
    path("app/sw.js", web.service_worker_view, name="app-sw"),
    path("app/sw-push.js", web.service_worker_push_view, name="app-sw-push"),
    # gettext/interpolate for the app's scripts; this app's djangojs catalogue (French is the source text)
    path("app/jsi18n/", JavaScriptCatalog.as_view(packages=["neighbours"]), name="app-jsi18n"),
]
