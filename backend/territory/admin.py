from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from backend.territory.models import Commune, Sector


class CommuneScopedAdmin(admin.ModelAdmin):
    """A commune's staff see and choose only their commune's rows; platform superusers see all."""

    commune_path = "commune"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        user = request.user
        if getattr(user, "is_superuser", False):
            return queryset
        return queryset.filter(**{self.commune_path: getattr(user, "commune_id", None)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        user = request.user
        if not getattr(user, "is_superuser", False):
            related = db_field.related_model
            if related is Commune:
                kwargs["queryset"] = Commune.objects.filter(pk__in=[getattr(user, "commune_id", None)])
            elif any(field.name == "commune" for field in related._meta.get_fields()):
                kwargs["queryset"] = related._default_manager.filter(
                    commune_id=getattr(user, "commune_id", None)
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Commune)
class CommuneAdmin(CommuneScopedAdmin):
    commune_path = "pk"
    list_display = ["name", "reference_prefix", "insee_code", "sms_number"]
    search_fields = ["name", "insee_code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Sector)
class SectorAdmin(CommuneScopedAdmin):
    list_display = ["name", "commune", "slug"]
    list_filter = ["commune"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["adjacent"]
