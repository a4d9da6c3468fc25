from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from backend.core.access import access_policy
from backend.territory.models import Commune, Sector


class CommuneScopedAdmin(admin.ModelAdmin):
    """The base of every admin page: what it lists, allows and offers in its forms is the access policy's
    answer (backend.core.access; the policy is alerts/access.py). `commune_path` says how a row reaches
    its commune, which the policy scopes on."""

    commune_path = "commune"
    # A bare host typed in a URL field means https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return access_policy().admin_queryset(request, self, super().get_queryset(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access_policy().admin_allows(request, "module", self)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access_policy().admin_allows(request, "view", self, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access_policy().admin_allows(request, "add", self)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access_policy().admin_allows(request, "change", self, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access_policy().admin_allows(request, "delete", self, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        return fields + [
            name for name in access_policy().admin_readonly_fields(request, self, obj) if name not in fields
        ]

    def _choices(self, db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> None:
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.all()
        kwargs["queryset"] = access_policy().admin_choices(request, self, db_field, queryset)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """A form never silently drops what its user may not see: a many-to-many field offers only the
        rows the policy lets this user choose, so rows linked before and not offered are kept."""
        kept: dict[str, list[Any]] = {}
        if change:
            for name, field in form.fields.items():
                if (
                    isinstance(field, forms.ModelMultipleChoiceField)
                    and field.queryset is not None
                    and name in form.cleaned_data
                ):
                    offered = set(field.queryset.values_list("pk", flat=True))
                    current = getattr(form.instance, name).all()
                    kept[name] = [row for row in current if row.pk not in offered]
        super().save_related(request, form, formsets, change)
        for name, rows in kept.items():
            if rows:
                getattr(form.instance, name).add(*rows)


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
