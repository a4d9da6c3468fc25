from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "backend.messaging"
    label = "messaging"
    verbose_name = _("Messagerie")

    def ready(self) -> None:
        from django.core import checks

        from backend.messaging import retention
        from backend.messaging.checks import webpush_settings_check

        retention.register()
        checks.register(webpush_settings_check)
