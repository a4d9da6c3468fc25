from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backend.audit.models import AuditEvent
from backend.territory.admin import CommuneScopedAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(CommuneScopedAdmin):
    """A commune's staff see the events of their commune's people only (the access policy's scope)."""

    list_display = ["at", "action", "actor_id", "actor_role", "object_type", "object_id", "ip"]
    list_filter = ["action", "actor_role", "object_type"]
    search_fields = ["action", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
