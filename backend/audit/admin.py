from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backend.accounts.selectors import commune_user_ids
from backend.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
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

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_queryset(request)
        user = request.user
        if getattr(user, "is_superuser", False):
            return queryset
        # A commune's staff see events by their commune's people only.
        return queryset.filter(actor_id__in=commune_user_ids(commune_id=getattr(user, "commune_id", None)))
