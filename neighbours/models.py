"""Participation Citoyenne: the protocol of a commune, its charter, its referents and their enrolment."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PoliceForce(models.TextChoices):
    POLICE_NATIONALE = "police_nationale", _("Police nationale")
    GENDARMERIE = "gendarmerie", _("Gendarmerie nationale")


class Protocol(models.Model):
    """The « Participation Citoyenne » protocol signed by the mayor, the prefect and the police force.

    A commune may hold several over the years (renewals); referents may submit only while one is in force.
    """

    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.CASCADE, related_name="protocols", verbose_name=_("commune")
    )
    signed_on = models.DateField(_("signé le"))
    starts_on = models.DateField(_("en vigueur du"))
    ends_on = models.DateField(_("au"))
    police_force = models.CharField(_("force signataire"), max_length=20, choices=PoliceForce.choices)
    police_unit = models.CharField(
        _("unité signataire"),
        max_length=200,
        blank=True,
        help_text=_("Par exemple : commissariat de Vitrolles."),
    )
    notes = models.TextField(_("remarques"), blank=True)

    class Meta:
        verbose_name = _("protocole Participation Citoyenne")
        verbose_name_plural = _("protocoles Participation Citoyenne")
        ordering = ["commune", "-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="protocol_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.commune} {self.starts_on:%d/%m/%Y} – {self.ends_on:%d/%m/%Y}"


class Charter(models.Model):
    """A version of the « charte du référent »; the newest published version is the one to accept."""

    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.CASCADE, related_name="charters", verbose_name=_("commune")
    )
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("texte"))
    published_at = models.DateTimeField(_("publiée le"), default=timezone.now)

    class Meta:
        verbose_name = _("charte du référent")
        verbose_name_plural = _("chartes du référent")
        ordering = ["commune", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "version"], name="charter_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.commune} v{self.version}"


class Referent(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de validation")
        ACTIVE = "active", _("actif")
        REFUSED = "refused", _("refusé")
        SUSPENDED = "suspended", _("suspendu")
        ENDED = "ended", _("fin de mission")

    class Source(models.TextChoices):
        INVITATION = "invitation", _("invitation")
        APPLICATION = "application", _("candidature")
        ADMIN = "admin", _("saisie par la mairie")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="referent",
        verbose_name=_("utilisateur"),
    )
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.PROTECT, related_name="referents", verbose_name=_("commune")
    )
    sector = models.ForeignKey(
        "territory.Sector", on_delete=models.PROTECT, related_name="referents", verbose_name=_("secteur")
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    trusted = models.BooleanField(
        _("de confiance"),
        default=False,
        help_text=_("Ses signalements de catégories courantes peuvent être transmis sans modération."),
    )
    source = models.CharField(_("origine"), max_length=12, choices=Source.choices, default=Source.ADMIN)
    charter_version = models.PositiveIntegerField(_("version de la charte acceptée"), null=True, blank=True)
    charter_accepted_at = models.DateTimeField(_("charte acceptée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("inscrit le"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("état changé le"), default=timezone.now)

    class Meta:
        verbose_name = _("référent")
        verbose_name_plural = _("référents")
        ordering = ["commune", "user__display_name", "id"]
        indexes = [models.Index(fields=["commune", "status", "sector"], name="referent_roster")]

    def __str__(self) -> str:
        return str(self.user)


class ReferentStatusChange(models.Model):
    """Who changed a referent's status, when, from what, to what and why (the coordinator's reason)."""

    referent = models.ForeignKey(Referent, on_delete=models.CASCADE, related_name="status_changes")
    at = models.DateTimeField(_("date"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(
        _("ancien état"), max_length=10, choices=Referent.Status.choices, blank=True
    )
    to_status = models.CharField(_("nouvel état"), max_length=10, choices=Referent.Status.choices)
    reason = models.TextField(_("motif"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("changement d'état d'un référent")
        verbose_name_plural = _("changements d'état des référents")
        ordering = ["referent", "at", "id"]

    def __str__(self) -> str:
        return f"{self.referent_id}: {self.from_status} → {self.to_status}"


class Invitation(models.Model):
    """A coordinator invites a phone into a sector; the code works once, for 14 days."""

    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.CASCADE,
        related_name="referent_invitations",
        verbose_name=_("commune"),
    )
    sector = models.ForeignKey(
        "territory.Sector",
        on_delete=models.PROTECT,
        related_name="referent_invitations",
        verbose_name=_("secteur"),
    )
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    display_name = models.CharField(_("nom"), max_length=150, blank=True)
    code = models.CharField(_("code"), max_length=16, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invité par"),
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    referent = models.ForeignKey(
        Referent, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )

    class Meta:
        verbose_name = _("invitation de référent")
        verbose_name_plural = _("invitations de référents")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} ({self.sector})"


class Application(models.Model):
    """A resident's application: their referent record waits, pending, for a coordinator."""

    referent = models.OneToOneField(Referent, on_delete=models.CASCADE, related_name="application")
    motivation = models.TextField(_("motivation"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("déposée le"), default=timezone.now)

    class Meta:
        verbose_name = _("candidature de référent")
        verbose_name_plural = _("candidatures de référents")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{_('Candidature')} {self.referent}"


class Preferences(models.Model):
    """What a person of the app wants on push, when they want quiet, and in which language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    # Broadcast kinds turned off on push ("prevention", "shop_alert"); the inbox still lists them.
    push_opt_outs = models.JSONField(_("notifications push désactivées"), default=list, blank=True)
    quiet_hours_start = models.TimeField(_("début des heures calmes"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("fin des heures calmes"), null=True, blank=True)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    updated_at = models.DateTimeField(_("modifiées le"), default=timezone.now)

    class Meta:
        verbose_name = _("préférences")
        verbose_name_plural = _("préférences")
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_hours_start__isnull=True, quiet_hours_end__isnull=True)
                | Q(quiet_hours_start__isnull=False, quiet_hours_end__isnull=False),
                name="preferences_quiet_hours_both_or_none",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Préférences')} {self.user_id}"
