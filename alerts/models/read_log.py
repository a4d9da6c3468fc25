"""The officers' read log: one row per observation served to a staff member."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ObservationRead(models.Model):
    """One observation served to a staff member, by whichever door (the API, the console's page and
    socket, the photos, the admin): the log a data-protection officer exports for one observation or one
    person. It names the observation by id and reference, not by a foreign key, so that it outlives the
    observation's purge until its own retention period ends."""

    class Door(models.TextChoices):
        API = "api", _("API")
        CONSOLE = "console", _("console (page)")
        SOCKET = "socket", _("console (temps réel)")
        PHOTO = "photo", _("photo")
        ADMIN = "admin", _("administration")
        SHEET = "sheet", _("fiche d'intervention")

    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    # The reader when it is an agency's own system (alerts/models/agency_tokens.py), not a person.
    agency_token = models.ForeignKey(
        "alerts.AgencyToken",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("jeton de service"),
    )
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.CASCADE, related_name="+", verbose_name=_("commune")
    )
    observation_id = models.BigIntegerField(_("signalement (id)"), db_index=True)
    reference = models.CharField(_("référence"), max_length=24)
    # The reporter, by id only: "who read what I reported" is answered without keeping their name here.
    author_id = models.BigIntegerField(_("auteur (id)"), null=True, blank=True, db_index=True)
    door = models.CharField(_("accès"), max_length=10, choices=Door.choices)
    view = models.CharField(_("vue"), max_length=12)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("lecture d'un signalement")
        verbose_name_plural = _("lectures des signalements")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "at"], name="observation_read_actor")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reference} ← {self.actor_id}"
