from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "backend.audit"
    label = "audit"
    verbose_name = _("Journal d'audit")

    def ready(self) -> None:
        from backend.audit import retention

        retention.register()
