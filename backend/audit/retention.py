"""How long the trail keeps addresses (registered with the kernel's retention registry)."""

from django.contrib.admin.models import LogEntry
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.audit.models import AuditEvent
from backend.core.retention import register_retention


def register() -> None:
    """Called from AuditConfig.ready()."""
    # The rows stay (ids, no personal values); the address goes, by a queryset update (AuditEvent).
    register_retention(
        "audit.ip",
        label=_("Adresses IP du journal d'audit"),
        model=AuditEvent,
        setting="AUDIT_IP_RETENTION_DAYS",
        age_field="at",
        scope=Q(ip__isnull=False),
        anonymise={"ip": None},
    )
    # Django's admin history names the objects it changed (« Camille D. », a phone number).
    register_retention(
        "audit.admin_log",
        label=_("Historique de l'administration"),
        model=LogEntry,
        setting="ADMIN_LOG_RETENTION_DAYS",
        age_field="action_time",
    )
