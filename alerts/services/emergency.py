"""The commune's emergency watch cell: activation (who asked, what, where, until when), renewal, close (by
hand, or when the review time passes unrenewed), messages in its log. The commune's switch
(CommuneAlertSettings.emergency_*) follows the open activation: the intake reads it on its hot path."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from alerts import access
from alerts.emergency_selectors import activation_open
from alerts.events import event_emit
from alerts.models import (
    Category,
    CommuneAlertSettings,
    EmergencyActivation,
    EmergencyLogEntry,
    EmergencyRenewal,
)
from alerts.selectors import commune_settings
from alerts.services.common import text_clean
from alerts.services.emergency_roster import roster_alert
from alerts.services.intake import category_clean
from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.core.errors import ApplicationError, Conflict, Forbidden
from backend.territory.models import Commune, Sector


def log_write(
    activation: EmergencyActivation, kind: str, text: str, *, actor: User | None = None
) -> EmergencyLogEntry:
    return EmergencyLogEntry.objects.create(activation=activation, kind=kind, text=text[:1000], actor=actor)


def _when(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "d/m/Y H:i")


def _may_decide(actor: User, commune_id: int) -> None:
    if not access.may_set_emergency(actor, commune_id):
        raise Forbidden(_("Seuls les modérateurs de la commune peuvent faire cela."))


def _review_clean(value: datetime | None) -> datetime:
    now = timezone.now()
    if value is None:
        return now + timedelta(hours=settings.EMERGENCY_REVIEW_HOURS)
    if value <= now:
        raise ApplicationError(_("L'heure de réexamen doit être à venir."), field="review_at")
    return value


def _sectors_clean(commune: Commune, values: Sequence[str | Sector]) -> list[Sector]:
    rows = []
    for value in values:
        slug = value.slug if isinstance(value, Sector) else value
        row = Sector.objects.filter(commune=commune, slug=slug).first()
        if row is None:
            raise ApplicationError(
                _("Secteur inconnu : « %(slug)s ».") % {"slug": str(slug)[:40]}, field="sectors"
            )
        rows.append(row)
    return rows


def _switch(
    *, commune: Commune, actor: User | None, activation: EmergencyActivation | None, reason: str
) -> CommuneAlertSettings:
    """Sets the commune's switch to the open activation (None: off) and tells every staff console."""
    row = commune_settings(commune=commune)
    row = CommuneAlertSettings.objects.select_for_update().get(pk=row.pk)
    row.emergency_active = activation is not None
    row.emergency_reason = reason
    row.emergency_changed_by = actor
    row.emergency_changed_at = timezone.now()
    row.save()
    categories = list(activation.categories.all()) if activation is not None else []
    row.emergency_categories.set(categories)
    slugs = sorted(category.slug for category in categories)
    audit_record(
        actor=actor,
        action="emergency_mode.changed",
        target=row,
        extra={"active": row.emergency_active, "categories": slugs},
    )
    event_emit(
        type="emergency_mode.changed",
        data={
            "commune_id": commune.pk,
            "active": row.emergency_active,
            "categories": slugs,
            "sectors": sorted(sector.slug for sector in activation.sectors.all()) if activation else [],
            "reason": reason,
            "activation_id": activation.pk if activation else None,
            "review_at": activation.review_at.isoformat() if activation else None,
            "changed_by": {"id": actor.pk, "name": actor.display_name} if actor else None,
            "changed_at": row.emergency_changed_at.isoformat() if row.emergency_changed_at else None,
        },
        groups=access.commune_staff_event_groups(commune.pk),
    )
    return row


def emergency_activate(
    *,
    commune: Commune,
    actor: User,
    requested_by_quality: str,
    requested_by_name: str,
    reason: str,
    categories: Sequence[str | Category],
    sectors: Sequence[str | Sector] = (),
    review_at: datetime | None = None,
) -> EmergencyActivation:
    """Opens the cell at an authority's request: the chosen categories skip moderation in the chosen
    sectors (none: the whole commune) until the review time; the roster is alerted."""
    _may_decide(actor, commune.pk)
    if requested_by_quality not in EmergencyActivation.Quality.values:
        raise ApplicationError(_("Qualité du demandeur inconnue."), field="requested_by_quality")
    name = text_clean(requested_by_name, field="requested_by_name", limit=120)
    clean_reason = text_clean(reason, field="reason", limit=500)
    category_rows = [category_clean(commune, item) for item in categories]
    if not category_rows:
        raise ApplicationError(_("Choisissez au moins une catégorie."), field="categories")
    sector_rows = _sectors_clean(commune, sectors)
    review = _review_clean(review_at)
    with transaction.atomic():
        commune_settings(commune=commune)
        CommuneAlertSettings.objects.select_for_update().get(commune=commune)  # one activation at a time
        if activation_open(commune_id=commune.pk) is not None:
            raise Conflict(_("La cellule d'urgence est déjà active."))
        activation = EmergencyActivation.objects.create(
            commune=commune,
            requested_by_quality=requested_by_quality,
            requested_by_name=name,
            reason=clean_reason,
            opened_by=actor,
            review_at=review,
        )
        activation.categories.set(category_rows)
        activation.sectors.set(sector_rows)
        log_write(
            activation,
            EmergencyLogEntry.Kind.ACTIVATED,
            _(
                "Activée à la demande de %(quality)s %(name)s : %(reason)s. Catégories : %(categories)s. "
                "Secteurs : %(sectors)s. Réexamen le %(review)s."
            )
            % {
                "quality": activation.get_requested_by_quality_display(),
                "name": name,
                "reason": clean_reason,
                "categories": ", ".join(row.label for row in category_rows),
                "sectors": ", ".join(row.name for row in sector_rows) or _("toute la commune"),
                "review": _when(review),
            },
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="emergency.activated",
            target=activation,
            extra={"quality": requested_by_quality, "review_at": review.isoformat()},
        )
        _switch(commune=commune, actor=actor, activation=activation, reason=clean_reason)
        roster_alert(activation)
    return activation


def _locked_open(activation: EmergencyActivation) -> EmergencyActivation:
    row = EmergencyActivation.objects.select_for_update().get(pk=activation.pk)
    if row.closed_at is not None:
        raise Conflict(_("Cette activation est déjà levée."))
    return row


def emergency_renew(
    *, activation: EmergencyActivation, actor: User, reason: str, review_at: datetime | None = None
) -> EmergencyActivation:
    """Prolongs an open activation to a new review time; the renewal is recorded."""
    _may_decide(actor, activation.commune_id)
    clean_reason = text_clean(reason, field="reason", limit=500)
    review = _review_clean(review_at)
    with transaction.atomic():
        row = _locked_open(activation)
        EmergencyRenewal.objects.create(
            activation=row,
            actor=actor,
            reason=clean_reason,
            previous_review_at=row.review_at,
            review_at=review,
        )
        row.review_at = review
        row.save(update_fields=["review_at"])
        log_write(
            row,
            EmergencyLogEntry.Kind.RENEWED,
            _("Renouvelée jusqu'au %(review)s : %(reason)s.")
            % {"review": _when(review), "reason": clean_reason},
            actor=actor,
        )
        audit_record(
            actor=actor, action="emergency.renewed", target=row, extra={"review_at": review.isoformat()}
        )
        _switch(commune=row.commune, actor=actor, activation=row, reason=row.reason)
    return row


def _close(
    activation: EmergencyActivation, *, actor: User | None, reason: str, ending: str
) -> EmergencyActivation:
    """The one way an activation ends, by hand or lapsed: the switch goes off, logged, audited, told."""
    row = _locked_open(activation)
    row.closed_at = timezone.now()
    row.closed_by = actor
    row.ending = ending
    row.close_reason = reason
    row.save(update_fields=["closed_at", "closed_by", "ending", "close_reason"])
    kind = (
        EmergencyLogEntry.Kind.CLOSED
        if ending == EmergencyActivation.Ending.CLOSED
        else EmergencyLogEntry.Kind.LAPSED
    )
    log_write(row, kind, reason, actor=actor)
    audit_record(actor=actor, action=f"emergency.{ending}", target=row, extra={"reason": reason[:200]})
    _switch(commune=row.commune, actor=actor, activation=None, reason=reason)
    return row


def emergency_close(*, activation: EmergencyActivation, actor: User, reason: str) -> EmergencyActivation:
    """Lifts the cell by hand; its report is then final."""
    _may_decide(actor, activation.commune_id)
    clean_reason = text_clean(reason, field="reason", limit=500)
    with transaction.atomic():
        return _close(activation, actor=actor, reason=clean_reason, ending=EmergencyActivation.Ending.CLOSED)


def emergencies_lapse() -> int:
    """Periodic job: closes the activations whose review time passed unrenewed, exactly as by hand."""
    closed = 0
    due = EmergencyActivation.objects.filter(closed_at=None, review_at__lte=timezone.now())
    for activation in due:
        with transaction.atomic():
            try:
                row = _locked_open(activation)
            except Conflict:
                continue  # another worker closed it
            if row.review_at > timezone.now():
                continue  # renewed meanwhile
            _close(
                row,
                actor=None,
                reason=_("Échue le %(review)s sans renouvellement.") % {"review": _when(row.review_at)},
                ending=EmergencyActivation.Ending.LAPSED,
            )
            closed += 1
    return closed


def emergency_message(*, activation: EmergencyActivation, actor: User, text: str) -> EmergencyLogEntry:
    """A message or decision written into the cell's log by a moderator or a roster member."""
    if not access.may_read_emergency(actor, activation.commune_id):
        raise Forbidden(_("Vous ne faites pas partie de la cellule d'urgence."))
    if activation.closed_at is not None:
        raise Conflict(_("Cette activation est déjà levée."))
    clean = text_clean(text, field="text", limit=1000)
    return log_write(activation, EmergencyLogEntry.Kind.MESSAGE, clean, actor=actor)


def emergency_mode_set(
    *, commune: Commune, actor: User, active: bool, categories: Sequence[str | Category] = (), reason: str
) -> CommuneAlertSettings:
    """The historic switch (PUT /api/v1/emergency-mode/, the console's form): on opens an activation asked
    by the actor (review time by default), or changes the open one's categories; off closes it."""
    _may_decide(actor, commune.pk)
    clean_reason = text_clean(reason, field="reason", limit=500)
    current = activation_open(commune_id=commune.pk)
    if not active:
        if current is not None:
            emergency_close(activation=current, actor=actor, reason=clean_reason)
        else:
            with transaction.atomic():
                _switch(commune=commune, actor=actor, activation=None, reason=clean_reason)
    elif current is None:
        emergency_activate(
            commune=commune,
            actor=actor,
            requested_by_quality=EmergencyActivation.Quality.OTHER,
            requested_by_name=actor.display_name or str(actor),
            reason=clean_reason,
            categories=categories,
        )
    else:
        rows = [category_clean(commune, item) for item in categories]
        if not rows:
            raise ApplicationError(_("Choisissez au moins une catégorie."), field="categories")
        with transaction.atomic():
            row = _locked_open(current)
            row.categories.set(rows)
            row.reason = clean_reason
            row.save(update_fields=["reason"])
            log_write(
                row,
                EmergencyLogEntry.Kind.MESSAGE,
                _("Catégories modifiées : %(categories)s. Motif : %(reason)s.")
                % {"categories": ", ".join(item.label for item in rows), "reason": clean_reason},
                actor=actor,
            )
            _switch(commune=commune, actor=actor, activation=row, reason=clean_reason)
    return commune_settings(commune=commune)
