"""A watch cell meeting, its roster and the actions it decides."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("prévue")
        HELD = "held", _("tenue")
        CANCELLED = "cancelled", _("annulée")

    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.CASCADE, related_name="+", verbose_name=_("commune")
    )
    held_on = models.DateField(_("date"))
    title = models.CharField(_("intitulé"), max_length=150)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("réunion de la cellule de veille")
        verbose_name_plural = _("réunions de la cellule de veille")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["commune", "held_on"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d/%m/%Y})"


class RosterMember(models.Model):
    """One seat at a meeting: an account of the commune (who may then open the meeting), or an outside
    partner by name and e-mail (bailleur, éducation nationale, transports), who has no access."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="roster")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte"),
    )
    full_name = models.CharField(_("nom"), max_length=150, blank=True)
    email = models.EmailField(_("adresse e-mail"), blank=True)
    organisation = models.CharField(_("organisme"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("membre de la cellule de veille")
        verbose_name_plural = _("membres de la cellule de veille")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="roster_one_seat_per_account",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(full_name=""), name="roster_account_or_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return str(self.user) if self.user_id is not None else self.full_name


class Action(models.Model):
    """A decision to carry out: it shows in every later meeting of its commune until done or dropped."""

    class Status(models.TextChoices):
        OPEN = "open", _("en cours")
        DONE = "done", _("réalisée")
        DROPPED = "dropped", _("abandonnée")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="actions", verbose_name=_("décidée à la réunion")
    )
    title = models.CharField(_("action"), max_length=300)
    owner_member = models.ForeignKey(
        RosterMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pilote (membre)"),
    )
    owner_text = models.CharField(_("pilote"), max_length=150, blank=True)
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    sector = models.ForeignKey(
        "territory.Sector",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("secteur"),
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("action de la cellule de veille")
        verbose_name_plural = _("actions de la cellule de veille")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def owner(self) -> str:
        return self.owner_member.name if self.owner_member is not None else self.owner_text
