"""Admin pages of the video-protection register. The commune admin manages the cameras; requests,
extractions and destructions are a legal record: listed read-only for everyone (alerts/access.py's
REGISTER_MODELS), made through the API."""

from django.contrib import admin

from alerts.video.models import Camera, Destruction, Extraction, FootageRequest
from backend.territory.admin import CommuneScopedAdmin


@admin.register(Camera)
class CameraAdmin(CommuneScopedAdmin):
    list_display = ["name", "sector", "films", "latitude", "longitude", "is_active"]
    list_filter = ["is_active", "sector"]
    search_fields = ["name", "films"]


@admin.register(FootageRequest)
class FootageRequestAdmin(CommuneScopedAdmin):
    list_display = ["id", "created_at", "agency", "kind", "officer_name", "status"]
    list_filter = ["status", "kind", "agency__kind"]
    date_hierarchy = "created_at"


@admin.register(Extraction)
class ExtractionAdmin(CommuneScopedAdmin):
    commune_path = "request__commune"
    list_display = ["id", "request", "medium", "recipient_name", "handed_over_at", "corrects", "recorded_at"]
    list_filter = ["medium"]


@admin.register(Destruction)
class DestructionAdmin(CommuneScopedAdmin):
    commune_path = "extraction__request__commune"
    list_display = ["id", "extraction", "destroyed_at", "witness_name", "recorded_at"]
