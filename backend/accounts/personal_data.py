"""Personal data rights (RGPD): export everything held about a person, or erase their account.

The kernel holds the profile, push addresses and outbound messages; each app that keeps more about a
person registers a section from its AppConfig.ready() (`neighbours`: referent record, enrolment,
preferences; `alerts`: observations, inbox), with an exporter and, when needed, an eraser.
Erasing keeps what the police need (observations) but cuts the person out of it: the account row stays,
emptied, so that links from other rows show « référent supprimé ».
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from backend.accounts.models import PhoneCode, Role, TokenFamily, User
from backend.accounts.tokens import families_revoke_for_user
from backend.audit.services import audit_record
from backend.core.errors import Forbidden
from backend.messaging.models import Delivery, Device
from backend.messaging.services import devices_remove_all

ERASED_NAME = "référent supprimé"
ERASED_NAMES = {Role.SHOPKEEPER: "commerçant supprimé"}


@dataclass(frozen=True)
class PersonalDataSection:
    name: str
    export: Callable[[User], Any]
    # Called inside the erasing transaction, before the account's own fields are wiped.
    erase: Callable[[User], None] | None = None


_sections: dict[str, PersonalDataSection] = {}


def register_personal_data(
    name: str, *, export: Callable[[User], Any], erase: Callable[[User], None] | None = None
) -> None:
    _sections[name] = PersonalDataSection(name=name, export=export, erase=erase)


def personal_data_section(name: str) -> PersonalDataSection | None:
    return _sections.get(name)


def _json_safe(data: Any) -> Any:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "phone": user.phone.as_e164 if user.phone else None,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "commune": user.commune.name if user.commune else None,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def _devices(user: User) -> list[Any]:
    return list(
        Device.objects.filter(user=user)
        .order_by("id")
        .values("token", "platform", "app_version", "is_active", "created_at", "last_seen_at")
    )


def _messages(user: User) -> list[Any]:
    return list(
        Delivery.objects.filter(recipient=user)
        .order_by("id")
        .values("channel", "kind", "title", "body", "status", "created_at", "sent_at")
    )


def personal_data_export(*, user: User, ip: str | None = None) -> dict[str, Any]:
    """Everything held about the person, as JSON-ready data; the export itself is audited."""
    data: dict[str, Any] = {
        "exported_at": timezone.now(),
        "profile": _profile(user),
        "devices": _devices(user),
        "messages": _messages(user),
    }
    for section in sorted(_sections.values(), key=lambda s: s.name):
        data[section.name] = section.export(user)
    audit_record(actor=user, action="account.exported", target=user, extra={"sections": sorted(data)}, ip=ip)
    return _json_safe(data)


def account_erase(
    *, user: User, actor: User | None = None, ip: str | None = None, retention: bool = False
) -> None:
    """Erases the person: personal fields wiped, devices removed, pending messages cancelled.

    Observations and other records stay for the police, linked to the emptied account whose name is now
    « référent supprimé ». `retention`: erased by the retention purge (their role ended long enough ago),
    not at anyone's request: the audit row has no actor and says so.
    """
    if user.erased_at is not None:
        raise Forbidden(_("Ce compte est déjà effacé."))
    if user.is_superuser or user.role in Role.SECOND_FACTOR:
        raise Forbidden(_("Les comptes des agents sont supprimés par l'administrateur de la commune."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        phone = user.phone.as_e164 if user.phone else ""
        for section in sorted(_sections.values(), key=lambda s: s.name):
            if section.erase is not None:
                section.erase(user)
        removed_devices = devices_remove_all(user=user)
        Delivery.objects.filter(recipient=user, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.CANCELLED
        )
        Delivery.objects.filter(recipient=user).exclude(address="").update(address="")
        if phone:
            Delivery.objects.filter(address=phone).update(address="")
            PhoneCode.objects.filter(phone=phone).delete()
        user.phone = None
        user.email = ""
        user.display_name = ERASED_NAMES.get(Role(user.role), ERASED_NAME)
        user.is_active = False
        user.erased_at = timezone.now()
        user.set_unusable_password()
        user.save(update_fields=["phone", "email", "display_name", "is_active", "erased_at", "password"])
        for outstanding in OutstandingToken.objects.filter(user=user):
            BlacklistedToken.objects.get_or_create(token=outstanding)
        # Access tokens too are refused at once, not when they expire.
        families_revoke_for_user(user=user, reason=TokenFamily.Reason.ERASED)
        audit_record(
            actor=actor or (None if retention else user),
            action="account.erased",
            target=user,
            fields=["phone", "email", "display_name", "is_active", "erased_at"],
            extra={"devices_removed": removed_devices, **({"retention": True} if retention else {})},
            ip=ip,
        )
