from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backend.territory.admin import CommuneScopedAdmin
from neighbours.models import (
    Application,
    Charter,
    Invitation,
    Preferences,
    Protocol,
    Referent,
    ReferentStatusChange,
)


@admin.register(Protocol)
class ProtocolAdmin(CommuneScopedAdmin):
    list_display = ["commune", "signed_on", "starts_on", "ends_on", "police_force", "police_unit"]
    list_filter = ["police_force"]


@admin.register(Charter)
class CharterAdmin(CommuneScopedAdmin):
    list_display = ["commune", "version", "published_at"]


class StatusChangeInline(admin.TabularInline):
    model = ReferentStatusChange
    extra = 0
    fields = ["at", "actor", "from_status", "to_status", "reason"]
    readonly_fields = ["at", "actor", "from_status", "to_status", "reason"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Referent)
class ReferentAdmin(CommuneScopedAdmin):
    list_display = ["user", "sector", "status", "trusted", "charter_version", "created_at"]
    list_filter = ["status", "trusted", "sector"]
    search_fields = ["user__display_name", "user__phone"]
    raw_id_fields = ["user"]
    # Status changes go through the API (reasons, SMS, audit): read-only here.
    readonly_fields = ["status", "status_changed_at", "charter_version", "charter_accepted_at", "created_at"]
    inlines = [StatusChangeInline]


@admin.register(Invitation)
class InvitationAdmin(CommuneScopedAdmin):
    list_display = ["code", "phone", "display_name", "sector", "created_at", "expires_at", "accepted_at"]
    list_filter = ["sector"]
    readonly_fields = ["code", "invited_by", "created_at", "accepted_at", "referent"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # through the API, so that the code goes out by SMS


@admin.register(Application)
class ApplicationAdmin(CommuneScopedAdmin):
    commune_path = "referent__commune"
    list_display = ["referent", "created_at"]
    readonly_fields = ["referent", "motivation", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Preferences)
class PreferencesAdmin(CommuneScopedAdmin):
    commune_path = "user__commune"
    list_display = ["user", "language", "quiet_hours_start", "quiet_hours_end"]
    readonly_fields = [
        "user",
        "push_opt_outs",
        "quiet_hours_start",
        "quiet_hours_end",
        "language",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
