from collections.abc import Iterable
from typing import Any

from django.db import models
from django.http import HttpRequest

from backend.audit.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
        extra=extra or {},
        ip=ip,
    )
