from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts.phone import normalize_phone
from backend.audit.services import audit_record
from backend.core.access import access_policy
from backend.core.errors import ApplicationError
from backend.territory.admin import CommuneScopedAdmin
from backend.territory.models import Commune
from commerces.alert_messages import template_check
from commerces.models import InboundMessage, Shop, ShopAlertTemplate, ShopApplication, Shopkeeper
from commerces.services import (
    inbound_discard,
    shop_application_approve,
    shop_application_reject,
    shopkeeper_enrol,
    shops_csv_read,
    shops_import_csv,
    siret_normalize,
)
from commerces.sms import inbound_attach


class ShopkeeperInline(admin.TabularInline):
    model = Shopkeeper
    extra = 0
    fields = ["user", "sms_opt_in", "created_at"]
    readonly_fields = ["user", "created_at"]
    can_delete = True
    show_change_link = True


class CsvImportForm(forms.Form):
    commune = forms.ModelChoiceField(label=gettext_lazy("Commune"), queryset=Commune.objects.none())
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV"),
        help_text=gettext_lazy(
            "UTF-8, séparateur « ; » ou « , ». Colonnes : nom, type, siret, adresse, secteur, telephone, contact."
        ),
    )

    def clean_file(self) -> str:
        try:
            return shops_csv_read(self.cleaned_data["file"])
        except ApplicationError as exc:
            raise ValidationError(exc.message) from None


class ShopForm(forms.ModelForm):
    siret = forms.CharField(label=gettext_lazy("SIRET"), max_length=20, required=False)

    class Meta:
        model = Shop
        fields = ["commune", "name", "trade", "siret", "address", "sector", "is_active"]

    def clean_siret(self) -> str:
        try:
            return siret_normalize(self.cleaned_data.get("siret") or "")
        except ApplicationError as exc:
            raise ValidationError(exc.message) from None


@admin.register(Shop)
class ShopAdmin(CommuneScopedAdmin):
    form = ShopForm
    list_display = ["name", "trade", "sector", "commune", "siret", "is_active"]
    list_filter = ["commune", "trade", "sector", "is_active"]
    search_fields = ["name", "siret", "address"]
    inlines = [ShopkeeperInline]
    change_list_template = "admin/commerces/shop/change_list.html"

    def save_model(self, request: HttpRequest, obj: Shop, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="commerces.shop_change" if change else "commerces.shop_create",
            target=obj,
            fields=form.changed_data if change else (),
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="commerces_shop_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        form = CsvImportForm(request.POST or None, request.FILES or None)
        communes = access_policy().admin_choices(request, self, None, Commune.objects.all())
        form.fields["commune"].queryset = communes  # type: ignore[attr-defined]
        report = None
        if request.method == "POST" and form.is_valid():
            report = shops_import_csv(
                commune=form.cleaned_data["commune"],
                actor=request.user,  # type: ignore[arg-type]
                content=form.cleaned_data["file"],
            )
            if report.created:
                self.message_user(
                    request, _("%(count)d commerce(s) importé(s).") % {"count": len(report.created)}
                )
            if report.errors:
                self.message_user(
                    request,
                    _("%(count)d ligne(s) refusée(s) : voir le détail.") % {"count": len(report.errors)},
                    level=messages.WARNING,
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Importer des commerces (CSV)"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/commerces/shop/import.html", context)


class ShopkeeperAddForm(forms.ModelForm):
    phone = forms.CharField(label=gettext_lazy("Téléphone mobile"), max_length=40)
    display_name = forms.CharField(label=gettext_lazy("Nom"), max_length=150, required=False)

    class Meta:
        model = Shopkeeper
        fields = ["shop", "sms_opt_in"]

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data["phone"], mobile_only=True)
        except ApplicationError as exc:
            raise ValidationError(exc.message) from None


@admin.register(Shopkeeper)
class ShopkeeperAdmin(CommuneScopedAdmin):
    commune_path = "shop__commune"
    list_display = ["user", "shop", "sms_opt_in", "sms_opt_in_changed_at", "created_at"]
    list_filter = ["sms_opt_in", "shop__trade", "shop__sector"]
    search_fields = ["user__display_name", "user__phone", "shop__name"]
    readonly_fields = ["user", "sms_opt_in_changed_at", "created_at"]
    list_select_related = ["user", "shop"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ShopkeeperAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["shop", "phone", "display_name", "sms_opt_in"]
        return ["user", "shop", "sms_opt_in", "sms_opt_in_changed_at", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Shopkeeper, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user, action="commerces.shopkeeper_change", target=obj, fields=form.changed_data
            )
            return
        created = shopkeeper_enrol(
            actor=request.user,  # type: ignore[arg-type]
            shop=form.cleaned_data["shop"],
            phone=form.cleaned_data["phone"],
            display_name=form.cleaned_data.get("display_name", ""),
            sms_opt_in=form.cleaned_data["sms_opt_in"],
        )
        obj.pk = created.pk
        obj.user = created.user
        obj._state.adding = False

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        try:
            return super().add_view(request, form_url, extra_context)
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(ShopApplication)
class ShopApplicationAdmin(CommuneScopedAdmin):
    list_display = ["shop_name", "trade", "contact_name", "phone", "sector", "status", "created_at"]
    list_filter = ["status", "trade"]
    search_fields = ["shop_name", "contact_name", "phone", "siret"]
    readonly_fields = ["phone", "status", "created_at", "decided_by", "decided_at", "shop"]
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=gettext_lazy("Accepter : créer le commerce et le commerçant"))
    def approve(self, request: HttpRequest, queryset: QuerySet[ShopApplication]) -> None:
        self._decide(request, queryset, shop_application_approve, done=_("%(shop)s : inscrit."))

    @admin.action(description=gettext_lazy("Refuser"))
    def reject(self, request: HttpRequest, queryset: QuerySet[ShopApplication]) -> None:
        self._decide(request, queryset, shop_application_reject)

    def _decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[ShopApplication],
        decide: Callable[..., object],
        done: str = "",
    ) -> None:
        """`decide` on each application; one refused is reported and does not stop the others."""
        for application in queryset:
            try:
                decide(application=application, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{application.shop_name} : {exc.message}", level=messages.ERROR)
            else:
                if done:
                    self.message_user(request, done % {"shop": application.shop_name})


class AttachForm(forms.Form):
    shop = forms.ModelChoiceField(label=gettext_lazy("Commerce"), queryset=Shop.objects.none())
    display_name = forms.CharField(label=gettext_lazy("Nom du commerçant"), max_length=150, required=False)


@admin.register(InboundMessage)
class InboundMessageAdmin(CommuneScopedAdmin):
    list_display = ["received_at", "sender", "status", "short_body", "observation_reference", "commune"]
    list_filter = ["status", "commune"]
    search_fields = ["sender", "body", "observation_reference"]
    readonly_fields = [
        "provider",
        "provider_id",
        "sender",
        "to",
        "body",
        "commune",
        "author",
        "status",
        "observation_reference",
        "reply",
        "received_at",
        "reviewed_by",
        "reviewed_at",
    ]
    actions = ["attach", "discard"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("texte"))
    def short_body(self, obj: InboundMessage) -> str:
        return obj.body[:80]

    @admin.action(description=gettext_lazy("Écarter (quarantaine)"))
    def discard(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        for message in queryset:
            try:
                inbound_discard(message=message, actor=request.user)  # type: ignore[arg-type]
            except ApplicationError as exc:
                self.message_user(request, f"{message.sender} : {exc.message}", level=messages.ERROR)

    @admin.action(description=gettext_lazy("Rattacher le numéro à un commerce (quarantaine)"))
    def attach(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> HttpResponse | None:
        quarantined = list(queryset.filter(status=InboundMessage.Status.QUARANTINED))
        if len({message.sender for message in quarantined}) != 1:
            self.message_user(
                request, _("Choisissez les messages en quarantaine d'un seul numéro."), level=messages.ERROR
            )
            return None
        message = quarantined[0]
        shops = access_policy().admin_choices(request, self, None, Shop.objects.filter(is_active=True))
        form = AttachForm(request.POST if "apply" in request.POST else None)
        form.fields["shop"].queryset = shops  # type: ignore[attr-defined]
        if form.is_bound and form.is_valid():
            try:
                inbound_attach(
                    message=message,
                    shop=form.cleaned_data["shop"],
                    actor=request.user,  # type: ignore[arg-type]
                    display_name=form.cleaned_data["display_name"],
                )
            except ApplicationError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(phone)s rattaché à %(shop)s ; ses messages sont transmis à la modération.")
                    % {"phone": message.sender, "shop": form.cleaned_data["shop"].name},
                )
            return HttpResponseRedirect(reverse("admin:commerces_inboundmessage_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Rattacher un numéro à un commerce"),
            "form": form,
            "messages_to_attach": quarantined,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/commerces/inboundmessage/attach.html", context)


class ShopAlertTemplateForm(forms.ModelForm):
    class Meta:
        model = ShopAlertTemplate
        fields = ["commune", "name", "method", "advice", "body", "is_active"]

    def clean_body(self) -> str:
        body = str(self.cleaned_data["body"])
        try:
            template_check(body)
        except ApplicationError as exc:
            raise ValidationError(exc.message) from None
        return body


@admin.register(ShopAlertTemplate)
class ShopAlertTemplateAdmin(CommuneScopedAdmin):
    form = ShopAlertTemplateForm
    list_display = ["name", "method", "commune", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "method"]
