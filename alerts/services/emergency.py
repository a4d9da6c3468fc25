"""The commune's emergency watch mode."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.events import event_emit
from alerts.models import (
    Category,
    CommuneAlertSettings,
)
from alerts.selectors import (
    commune_settings,
)
from alerts.services.common import text_clean
from alerts.services.intake import category_clean
from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Forbidden
from backend.territory.models import Commune


def emergency_mode_set(
    *, commune: Commune, actor: User, active: bool, categories: Sequence[str | Category] = (), reason: str
) -> CommuneAlertSettings:
    """The emergency watch cell's switch: while on, the chosen categories skip moderation."""
    if not access.may_set_emergency(actor, commune.pk):
        raise Forbidden(_("Seuls les modérateurs de la commune peuvent faire cela."))
    clean_reason = text_clean(reason, field="reason", limit=500)
    rows = [category_clean(commune, item) for item in categories]
    if active and not rows:
        raise ApplicationError(_("Choisissez au moins une catégorie."), field="categories")
    with transaction.atomic():
        settings_row = commune_settings(commune=commune)
        settings_row = CommuneAlertSettings.objects.select_for_update().get(pk=settings_row.pk)
        settings_row.emergency_active = active
        settings_row.emergency_reason = clean_reason
        settings_row.emergency_changed_by = actor
        settings_row.emergency_changed_at = timezone.now()
        settings_row.save()
        settings_row.emergency_categories.set(rows if active else [])
        slugs = [row.slug for row in rows] if active else []
        audit_record(
            actor=actor,
            action="emergency_mode.changed",
            target=settings_row,
            extra={"active": active, "categories": slugs},
        )
        event_emit(
            type="emergency_mode.changed",
            data={
                "commune_id": commune.pk,
                "active": active,
                "categories": slugs,
                "reason": clean_reason,
                "changed_by": {"id": actor.pk, "name": actor.display_name},
                "changed_at": settings_row.emergency_changed_at.isoformat()
                if settings_row.emergency_changed_at
                else None,
            },
            groups=access.commune_staff_event_groups(commune.pk),
        )
    return settings_row
