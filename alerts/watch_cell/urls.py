"""Routes of the watch cell: pages at the site root (no API)."""

from django.urls import URLPattern, URLResolver, path

from alerts.watch_cell import web

urlpatterns: list[URLPattern | URLResolver] = [
    path("cellule-de-veille/", web.meetings_page, name="watch-cell"),
    path("cellule-de-veille/<int:meeting_id>/", web.meeting_page, name="watch-cell-meeting"),
    path(
        "cellule-de-veille/<int:meeting_id>/modifier/", web.meeting_change, name="watch-cell-meeting-change"
    ),
    path("cellule-de-veille/<int:meeting_id>/membres/", web.roster_add, name="watch-cell-roster-add"),
    path(
        "cellule-de-veille/<int:meeting_id>/membres/<int:member_id>/retirer/",
        web.roster_remove,
        name="watch-cell-roster-remove",
    ),
    path("cellule-de-veille/<int:meeting_id>/actions/", web.action_add, name="watch-cell-action-add"),
    path(
        "cellule-de-veille/<int:meeting_id>/actions/<int:action_id>/etat/",
        web.action_status,
        name="watch-cell-action-status",
    ),
    path("cellule-de-veille/<int:meeting_id>/dossier/", web.pack_page, name="watch-cell-pack"),
    path("cellule-de-veille/<int:meeting_id>/dossier.pdf", web.pack_pdf_view, name="watch-cell-pack-pdf"),
]
