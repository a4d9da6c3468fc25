"""Routes of this app: `api_urlpatterns` are mounted under /api/v1/, `urlpatterns` at the site root."""

import os

from django.urls import URLPattern, URLResolver, path

from alerts import apis

moderation = [
    path("moderation/queue/", apis.ModerationQueueApi.as_view(), name="alerts-moderation-queue"),
    path("moderation/<int:pk>/", apis.ModerationItemApi.as_view(), name="alerts-moderation-item"),
    path("moderation/<int:pk>/claim/", apis.ModerationClaimApi.as_view(), name="alerts-moderation-claim"),
    path(
        "moderation/<int:pk>/release/", apis.ModerationReleaseApi.as_view(), name="alerts-moderation-release"
    ),
    path(
        "moderation/<int:pk>/approve/", apis.ModerationApproveApi.as_view(), name="alerts-moderation-approve"
    ),
    path("moderation/<int:pk>/reject/", apis.ModerationRejectApi.as_view(), name="alerts-moderation-reject"),
    path("moderation/<int:pk>/merge/", apis.ModerationMergeApi.as_view(), name="alerts-moderation-merge"),
    path(
        "moderation/additions/", apis.ModerationAdditionListApi.as_view(), name="alerts-moderation-additions"
    ),
    path(
        "moderation/additions/<int:pk>/approve/",
        apis.ModerationAdditionReviewApi.as_view(),
        name="alerts-moderation-addition-approve",
    ),
    path(
        "moderation/additions/<int:pk>/reject/",
        apis.ModerationAdditionRejectApi.as_view(),
        name="alerts-moderation-addition-reject",
    ),
]

dispatches = [
    path("dispatches/", apis.DispatchListApi.as_view(), name="alerts-dispatches"),
    path("dispatches/<int:pk>/", apis.DispatchDetailApi.as_view(), name="alerts-dispatch"),
    path(
        "dispatches/<int:pk>/acknowledge/",
        apis.DispatchAcknowledgeApi.as_view(),
        name="alerts-dispatch-acknowledge",
    ),
    path("dispatches/<int:pk>/assign/", apis.DispatchAssignApi.as_view(), name="alerts-dispatch-assign"),
    path("dispatches/<int:pk>/notes/", apis.DispatchNotesApi.as_view(), name="alerts-dispatch-notes"),
    path(
        "dispatches/<int:pk>/handover/", apis.DispatchHandoverApi.as_view(), name="alerts-dispatch-handover"
    ),
    path("dispatches/<int:pk>/close/", apis.DispatchCloseApi.as_view(), name="alerts-dispatch-close"),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("observations/", apis.ObservationListCreateApi.as_view(), name="alerts-observations"),
    path("observations/<int:pk>/", apis.ObservationDetailApi.as_view(), name="alerts-observation"),
    path(
        "observations/<int:pk>/additions/",
        apis.ObservationAdditionApi.as_view(),
        name="alerts-observation-additions",
    ),
    path(
        "observations/<int:pk>/photos/<int:photo_id>/",
        apis.ObservationPhotoApi.as_view(),
        name="alerts-observation-photo",
    ),
    path("categories/", apis.CategoryListApi.as_view(), name="alerts-categories"),
    path("agencies/", apis.AgencyListApi.as_view(), name="alerts-agencies"),
    path("emergency-mode/", apis.EmergencyModeApi.as_view(), name="alerts-emergency-mode"),
    path("senders/flagged/", apis.FlaggedSenderListApi.as_view(), name="alerts-senders-flagged"),
    path("observation-reads/", apis.ObservationReadListApi.as_view(), name="alerts-observation-reads"),
    path(
        "observation-reads/export.csv",
        apis.ObservationReadExportApi.as_view(),
        name="alerts-observation-reads-export",
    ),
    path("senders/<int:user_id>/block/", apis.SenderBlockApi.as_view(), name="alerts-sender-block"),
    path("senders/<int:user_id>/unblock/", apis.SenderUnblockApi.as_view(), name="alerts-sender-unblock"),
    *moderation,
    *dispatches,
]
if os.environ.get("VIGIE_BENCH") == "1":
    api_urlpatterns.append(path("bench/ping/", apis.BenchPingApi.as_view(), name="alerts-bench-ping"))

urlpatterns: list[URLPattern | URLResolver] = []
