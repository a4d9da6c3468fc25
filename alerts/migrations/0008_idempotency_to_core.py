"""Replayable responses move to the kernel (backend/core/idempotency.py serves every app): rows copied,
then the alerts table dropped."""

from typing import Any

from django.db import migrations


def copy_rows(apps: Any, schema_editor: Any) -> None:
    old = apps.get_model("alerts", "IdempotencyRecord")
    new = apps.get_model("core", "IdempotencyRecord")
    new.objects.bulk_create(
        new(
            user_id=row.user_id,
            scope=row.scope,
            key=row.key,
            request_hash=row.request_hash,
            response_status=row.response_status,
            response_body=row.response_body,
            created_at=row.created_at,
        )
        for row in old.objects.iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0007_event_observation"),
        ("core", "0002_idempotency_record"),
    ]

    operations = [
        migrations.RunPython(copy_rows, migrations.RunPython.noop),
        migrations.DeleteModel(name="IdempotencyRecord"),
    ]
