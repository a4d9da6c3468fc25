from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeighboursConfig(AppConfig):
    name = "neighbours"
    verbose_name = _("Référents Participation Citoyenne")

    def ready(self) -> None:
        from alerts import registry
        from backend.accounts import personal_data
        from backend.accounts.models import Role
        from neighbours import selectors, services

        # alerts' intake asks whether a referent may submit; broadcasts ask for the referents audience
        # and for their push preferences (DESIGN.md: alerts never imports neighbours).
        registry.register_submitter_rule(Role.REFERENT, lambda user: selectors.referent_verdict(user=user))
        registry.register_audience("referents", selectors.referent_audience)
        registry.register_push_preferences("neighbours", selectors.push_preferences_for)

        personal_data.register_personal_data(
            "referent", export=selectors.referent_personal_data, erase=services.referent_data_erase
        )
        personal_data.register_personal_data("preferences", export=selectors.preferences_personal_data)
        # Observations and the inbox are alerts' rows: exported here unless alerts registers its own.
        if personal_data.personal_data_section("observations") is None:
            personal_data.register_personal_data("observations", export=selectors.observations_personal_data)
        if personal_data.personal_data_section("notifications") is None:
            personal_data.register_personal_data(
                "notifications", export=selectors.notifications_personal_data
            )

        from neighbours import retention

        retention.register()  # referents whose mission ended, refused applications, expired invitations
