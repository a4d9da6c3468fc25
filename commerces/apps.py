from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommercesConfig(AppConfig):
    name = "commerces"
    verbose_name = _("Commerces")

    def ready(self) -> None:
        from alerts.registry import register_audience, register_submitter_rule
        from backend.accounts.models import Role
        from commerces.selectors import shopkeeper_submitter_verdict, shopkeepers_audience

        register_audience("shopkeepers", shopkeepers_audience)
        register_submitter_rule(Role.SHOPKEEPER, shopkeeper_submitter_verdict)
