from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommercesConfig(AppConfig):
    name = "commerces"
    verbose_name = _("Commerces")

    def ready(self) -> None:
        from alerts.registry import (
            register_audience,
            register_broadcast_text_check,
            register_reporter_place,
            register_submitter_rule,
        )
        from backend.accounts.models import Role
        from backend.accounts.personal_data import register_personal_data
        from commerces.alert_messages import SHOPKEEPERS_AUDIENCE, shop_alert_victim_check
        from commerces.selectors import (
            shopkeeper_personal_data,
            shopkeeper_places,
            shopkeeper_submitter_verdict,
            shopkeepers_audience,
        )
        from commerces.services import shopkeeper_data_erase

        register_audience(SHOPKEEPERS_AUDIENCE, shopkeepers_audience)
        register_submitter_rule(Role.SHOPKEEPER, shopkeeper_submitter_verdict)
        register_reporter_place("shops", shopkeeper_places)
        register_broadcast_text_check("shop_alert_victim", shop_alert_victim_check)
        register_personal_data("shopkeeper", export=shopkeeper_personal_data, erase=shopkeeper_data_erase)

        from commerces import retention

        retention.register()  # SMS received, decided applications, shopkeepers who no longer are
