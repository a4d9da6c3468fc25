from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "backend.core"
    label = "core"
    verbose_name = "Noyau"

    def ready(self) -> None:
        from django.conf import settings

        # At start-up, not in settings (importing them creates nothing): whitenoise warns about a missing
        # STATIC_ROOT until collectstatic has run.
        settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
        from django.utils.translation import gettext_lazy as _

        from backend.core.models import IdempotencyRecord
        from backend.core.periodic import register_periodic
        from backend.core.retention import register_retention, retention_run_due

        # Checked every 5 minutes; purges once a day (the last run is remembered in the database).
        register_periodic("core.retention", lambda: retention_run_due(), every_seconds=300)
        register_retention(
            "core.idempotency",
            label=_("Réponses rejouables (Idempotency-Key)"),
            model=IdempotencyRecord,
            setting="IDEMPOTENCY_RETENTION_HOURS",
            age_field="created_at",
        )
