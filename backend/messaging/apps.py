from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "backend.messaging"
    label = "messaging"
    verbose_name = _("Messagerie")

    def ready(self) -> None:
        from backend.messaging import retention

        retention.register()
