from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "backend.core"
    label = "core"
    verbose_name = "Noyau"

    def ready(self) -> None:
        from backend.core.periodic import register_periodic
        from backend.core.retention import retention_run_due

        # Checked every 5 minutes; purges once a day (the last run is remembered in the database).
        register_periodic("core.retention", lambda: retention_run_due(), every_seconds=300)
