"""The outbox and the push addresses in the admin: read-only, scoped to the recipient's commune."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backend.messaging.models import Delivery, Device, PushReceipt
from backend.territory.admin import CommuneScopedAdmin


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PushReceiptInline(ReadOnlyMixin, admin.TabularInline[PushReceipt, Delivery]):
    model = PushReceipt
    fields = ("device", "status", "error", "updated_at")
    readonly_fields = ("device", "status", "error", "updated_at")
    extra = 0


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, CommuneScopedAdmin):
    # Deliveries to bare addresses (agency webhooks, SMS to non-users) are for platform superusers.
    commune_path = "recipient__commune"
    list_display = ["id", "channel", "kind", "status", "recipient", "attempts", "created_at", "sent_at"]
    list_filter = ["channel", "status", "kind", "priority"]
    search_fields = ["source", "provider_id"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    inlines = [PushReceiptInline]


@admin.register(Device)
class DeviceAdmin(ReadOnlyMixin, CommuneScopedAdmin):
    commune_path = "user__commune"
    list_display = ["__str__", "user", "platform", "app_version", "is_active", "last_seen_at"]
    list_filter = ["platform", "is_active"]
    list_select_related = ["user"]
    exclude = ["token"]
