from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from alerts.console.models import ConsoleConnection
from backend.territory.admin import CommuneScopedAdmin


@admin.register(ConsoleConnection)
class ConsoleConnectionAdmin(CommuneScopedAdmin):
    """Who has a console open right now (read-only: rows come and go with the sockets)."""

    commune_path = "user__commune"
    list_display = ("user", "connected_at", "seen_at")
    list_select_related = ("user",)
    readonly_fields = ("user", "channel_name", "connected_at", "seen_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
