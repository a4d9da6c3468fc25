import ipaddress
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.http import HttpRequest
from rest_framework.settings import api_settings

from backend.audit.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address; behind NUM_PROXIES reverse proxies, the one they saw (as DRF's throttles do)."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = api_settings.NUM_PROXIES or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote
    addresses = forwarded.split(",")
    candidate = addresses[-min(proxies, len(addresses))].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def audit_record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    fields: Iterable[str] = (),
    extra: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Appends one row; call it in the transaction of the change it records."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor_id=getattr(actor, "pk", None) if authenticated else None,
        actor_role=getattr(actor, "role", "") if authenticated else "",
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        changed_fields=sorted(fields),
        # An actor that is no person (an agency token) names itself here, as it has no id.
        extra={**(getattr(actor, "audit_extra", None) or {}), **(extra or {})}
        if authenticated
        else extra or {},
        ip=ip,
    )
