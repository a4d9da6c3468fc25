from django.contrib import admin

from alerts.broadcasts.models import Broadcast, BroadcastPolicy, BroadcastRecipient, BroadcastTemplate
from backend.territory.admin import CommuneScopedAdmin


@admin.register(BroadcastPolicy)
class BroadcastPolicyAdmin(CommuneScopedAdmin):
    list_display = ["commune", "two_person_rule"]


@admin.register(BroadcastTemplate)
class BroadcastTemplateAdmin(CommuneScopedAdmin):
    """The commune's wording per kind, which the console prefills (placeholders checked on save)."""

    list_display = ["commune", "kind", "title"]
    list_filter = ["kind"]


class BroadcastRecipientInline(admin.TabularInline):
    model = BroadcastRecipient
    fields = ["user", "channel"]
    readonly_fields = ["user", "channel"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Broadcast)
class BroadcastAdmin(CommuneScopedAdmin):
    list_display = ["title", "kind", "msg_type", "state", "cap_status", "sent_at", "recipients_count"]
    list_filter = ["kind", "state", "msg_type", "cap_status"]
    search_fields = ["title"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "original",
        "observation",
        "created_by",
        "approved_by",
        "cancelled_by",
        "created_at",
        "approved_at",
        "sent_at",
        "cancelled_at",
        "recipients_count",
        "state",
        "msg_type",
    ]
    filter_horizontal = ["sectors"]

    def has_add_permission(self, request: object) -> bool:
        # Broadcasts are composed through the API / console, where the rules (two-person, audiences) apply.
        return False
