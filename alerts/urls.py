"""Routes of this app: `api_urlpatterns` are mounted under /api/v1/, `urlpatterns` at the site root."""

import os

from django.urls import URLPattern, URLResolver, path

from alerts.apis import (
    agency_tokens,
    bench,
    categories,
    dispatches,
    emergency,
    moderation,
    observations,
    photos,
    read_log,
    senders,
)

moderation_paths = [
    path("moderation/queue/", moderation.ModerationQueueApi.as_view(), name="alerts-moderation-queue"),
    path("moderation/<int:pk>/", moderation.ModerationItemApi.as_view(), name="alerts-moderation-item"),
    path(
        "moderation/<int:pk>/claim/", moderation.ModerationClaimApi.as_view(), name="alerts-moderation-claim"
    ),
    path(
        "moderation/<int:pk>/release/",
        moderation.ModerationReleaseApi.as_view(),
        name="alerts-moderation-release",
    ),
    path(
        "moderation/<int:pk>/approve/",
        moderation.ModerationApproveApi.as_view(),
        name="alerts-moderation-approve",
    ),
    path(
        "moderation/<int:pk>/reject/",
        moderation.ModerationRejectApi.as_view(),
        name="alerts-moderation-reject",
    ),
    path(
        "moderation/<int:pk>/merge/", moderation.ModerationMergeApi.as_view(), name="alerts-moderation-merge"
    ),
    path(
        "moderation/additions/",
        moderation.ModerationAdditionListApi.as_view(),
        name="alerts-moderation-additions",
    ),
    path(
        "moderation/additions/<int:pk>/approve/",
        moderation.ModerationAdditionReviewApi.as_view(),
        name="alerts-moderation-addition-approve",
    ),
    path(
        "moderation/additions/<int:pk>/reject/",
        moderation.ModerationAdditionRejectApi.as_view(),
        name="alerts-moderation-addition-reject",
    ),
]

dispatch_paths = [
    path("dispatches/", dispatches.DispatchListApi.as_view(), name="alerts-dispatches"),
    path("dispatches/<int:pk>/", dispatches.DispatchDetailApi.as_view(), name="alerts-dispatch"),
    path(
        "dispatches/<int:pk>/acknowledge/",
        dispatches.DispatchAcknowledgeApi.as_view(),
        name="alerts-dispatch-acknowledge",
    ),
    path(
        "dispatches/<int:pk>/assign/", dispatches.DispatchAssignApi.as_view(), name="alerts-dispatch-assign"
    ),
    path("dispatches/<int:pk>/notes/", dispatches.DispatchNotesApi.as_view(), name="alerts-dispatch-notes"),
    path(
        "dispatches/<int:pk>/handover/",
        dispatches.DispatchHandoverApi.as_view(),
        name="alerts-dispatch-handover",
    ),
    path("dispatches/<int:pk>/close/", dispatches.DispatchCloseApi.as_view(), name="alerts-dispatch-close"),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("observations/", observations.ObservationListCreateApi.as_view(), name="alerts-observations"),
    path("observations/<int:pk>/", observations.ObservationDetailApi.as_view(), name="alerts-observation"),
    path(
        "observations/<int:pk>/additions/",
        observations.ObservationAdditionApi.as_view(),
        name="alerts-observation-additions",
    ),
    path(
        "observations/<int:pk>/photos/<int:photo_id>/",
        photos.ObservationPhotoApi.as_view(),
        name="alerts-observation-photo",
    ),
    path("categories/", categories.CategoryListApi.as_view(), name="alerts-categories"),
    path("agencies/", dispatches.AgencyListApi.as_view(), name="alerts-agencies"),
    path(
        "agencies/<int:pk>/tokens/",
        agency_tokens.AgencyTokenListCreateApi.as_view(),
        name="alerts-agency-tokens",
    ),
    path(
        "agencies/<int:pk>/tokens/<int:token_id>/revoke/",
        agency_tokens.AgencyTokenRevokeApi.as_view(),
        name="alerts-agency-token-revoke",
    ),
    path("emergency-mode/", emergency.EmergencyModeApi.as_view(), name="alerts-emergency-mode"),
    path(
        "emergency/activations/",
        emergency.EmergencyActivationListApi.as_view(),
        name="alerts-emergency-activations",
    ),
    path(
        "emergency/activations/<int:pk>/",
        emergency.EmergencyActivationApi.as_view(),
        name="alerts-emergency-activation",
    ),
    path(
        "emergency/activations/<int:pk>/renew/",
        emergency.EmergencyRenewApi.as_view(),
        name="alerts-emergency-renew",
    ),
    path(
        "emergency/activations/<int:pk>/close/",
        emergency.EmergencyCloseApi.as_view(),
        name="alerts-emergency-close",
    ),
    path(
        "emergency/activations/<int:pk>/confirm/",
        emergency.EmergencyConfirmApi.as_view(),
        name="alerts-emergency-confirm",
    ),
    path(
        "emergency/activations/<int:pk>/log/",
        emergency.EmergencyLogApi.as_view(),
        name="alerts-emergency-log",
    ),
    path(
        "emergency/activations/<int:pk>/report/",
        emergency.EmergencyReportApi.as_view(),
        name="alerts-emergency-report",
    ),
    path("emergency/roster/", emergency.EmergencyRosterApi.as_view(), name="alerts-emergency-roster"),
    path("senders/flagged/", senders.FlaggedSenderListApi.as_view(), name="alerts-senders-flagged"),
    path("observation-reads/", read_log.ObservationReadListApi.as_view(), name="alerts-observation-reads"),
    path(
        "observation-reads/export.csv",
        read_log.ObservationReadExportApi.as_view(),
        name="alerts-observation-reads-export",
    ),
    path("senders/<int:user_id>/block/", senders.SenderBlockApi.as_view(), name="alerts-sender-block"),
    path("senders/<int:user_id>/unblock/", senders.SenderUnblockApi.as_view(), name="alerts-sender-unblock"),
    *moderation_paths,
    *dispatch_paths,
]
if os.environ.get("VIGIE_BENCH") == "1":
    api_urlpatterns.append(path("bench/ping/", bench.BenchPingApi.as_view(), name="alerts-bench-ping"))

urlpatterns: list[URLPattern | URLResolver] = []
