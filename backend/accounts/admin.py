from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import PhoneCode, User
from backend.territory.admin import CommuneScopedAdmin


class UserAddForm(forms.ModelForm[User]):
    """Accounts are created without a password: app users log in by SMS code, staff set one later."""

    class Meta:
        model = User
        fields = ["phone", "display_name", "role", "commune"]

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(CommuneScopedAdmin, DjangoUserAdmin):
    add_form = UserAddForm
    ordering = ["display_name"]
    list_display = ["display_name", "phone", "role", "commune", "is_active", "last_login"]
    list_filter = ["role", "is_active", "commune"]
    search_fields = ["display_name", "phone", "email"]
    fieldsets = (
        (None, {"fields": ("phone", "password")}),
        (_("Profil"), {"fields": ("display_name", "email", "role", "commune")}),
        (_("Droits"), {"fields": ("is_active", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined", "erased_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("phone", "display_name", "role", "commune")}),)
    readonly_fields = ["last_login", "date_joined", "erased_at"]


@admin.register(PhoneCode)
class PhoneCodeAdmin(CommuneScopedAdmin):
    """Phone numbers of every commune: the policy shows them to platform superusers only."""

    list_display = ["phone", "purpose", "created_at", "expires_at", "attempts", "used_at", "sent", "network"]
    list_filter = ["purpose"]
    readonly_fields = [field.name for field in PhoneCode._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
