import enum
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.messaging.webhook import validate_webhook_url


class Event(models.Model):
    """What consoles and clients are told, written in the transaction of the change it announces.

    Published on channel-layer groups after commit; the rows are the truth that reconnecting consoles
    replay from (alerts/events.py).
    """

    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    type = models.CharField(_("type"), max_length=60)
    data = models.JSONField(_("données"), default=dict)
    # The observation the event is about, if any: the retention purge deletes the event with it, by key.
    observation = models.ForeignKey(
        "Observation", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )

    class Meta:
        verbose_name = _("événement temps réel")
        verbose_name_plural = _("événements temps réel")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.type}"


class EventTarget(models.Model):
    """One group that may see an event ("agency.3", "moderation.1", "user.42"); replay filters on it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="targets")
    group = models.CharField(max_length=80)

    class Meta:
        indexes = [models.Index(fields=["group", "event"], name="event_target_group")]
        constraints = [models.UniqueConstraint(fields=["event", "group"], name="event_target_unique")]

    def __str__(self) -> str:
        return f"{self.group} ← {self.event_id}"


# --- observations, moderation, routing, dispatch (issue 4) -------------------------------------


class Channel(models.TextChoices):
    APP = "app", _("application")
    SMS = "sms", _("SMS")
    WEB = "web", _("formulaire web")


class Category(models.Model):
    """The administrable taxonomy. Rows without a commune are the platform's defaults (seeded);
    a commune may add its own or override one (same slug)."""

    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="observation_categories",
        verbose_name=_("commune"),
        help_text=_("Vide : catégorie commune à toutes les communes."),
    )
    slug = models.SlugField(_("identifiant"), max_length=40)
    label = models.CharField(_("libellé"), max_length=120)
    urgent = models.BooleanField(_("urgente"), default=False, help_text=_("Signalée et triée en premier."))
    routine = models.BooleanField(
        _("courante"),
        default=False,
        help_text=_("Un référent de confiance peut la transmettre sans modération."),
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("catégorie de signalement")
        verbose_name_plural = _("catégories de signalement")
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "slug"], name="category_unique_slug_per_commune"),
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(commune=None), name="category_unique_default_slug"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Agency(models.Model):
    class Kind(models.TextChoices):
        POLICE_MUNICIPALE = "police_municipale", _("police municipale")
        POLICE_NATIONALE = "police_nationale", _("police nationale")
        GENDARMERIE = "gendarmerie", _("gendarmerie")

    name = models.CharField(_("nom"), max_length=160)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    communes = models.ManyToManyField(
        "territory.Commune", related_name="agencies", verbose_name=_("communes desservies")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="agencies",
        verbose_name=_("opérateurs"),
    )
    duty_phone = models.CharField(
        _("téléphone de permanence"), max_length=20, blank=True, help_text=_("Reçoit les relances par SMS.")
    )
    ack_minutes_in_progress = models.PositiveSmallIntegerField(
        _("délai de prise en compte, faits en cours (minutes)"), default=10
    )
    ack_minutes = models.PositiveSmallIntegerField(_("délai de prise en compte (minutes)"), default=60)
    webhook_url = models.URLField(
        _("webhook"),
        blank=True,
        validators=[validate_webhook_url],
        help_text=_(
            "Optionnel : adresse https publique qui reçoit chaque événement des transmissions, "
            "en requêtes signées (voir docs/webhooks.md)."
        ),
    )
    # Signs the webhook requests (X-Vigie-Signature); made when a webhook is first used (alerts/webhooks.py).
    webhook_secret = models.CharField(_("secret du webhook"), max_length=100, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service de police")
        verbose_name_plural = _("services de police")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Category × sector × time window → agencies. Of the rules that match, those of the highest
    priority win (their agencies together); none matching → the commune's fallback agency."""

    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("commune")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("catégorie"),
        help_text=_("Vide : toutes les catégories."),
    )
    sector = models.ForeignKey(
        "territory.Sector",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("secteur"),
        help_text=_("Vide : tous les secteurs."),
    )
    starts_at = models.TimeField(_("à partir de"), null=True, blank=True)
    ends_at = models.TimeField(
        _("jusqu'à"), null=True, blank=True, help_text=_("Vide : toute la journée. Peut passer minuit.")
    )
    priority = models.PositiveSmallIntegerField(
        _("priorité"), default=100, help_text=_("La plus haute gagne.")
    )
    agencies = models.ManyToManyField(Agency, related_name="routing_rules", verbose_name=_("services"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("règle d'orientation")
        verbose_name_plural = _("règles d'orientation")
        ordering = ["commune", "-priority", "id"]

    def __str__(self) -> str:
        return f"{self.commune} · {self.category or '*'} · {self.sector or '*'} ({self.priority})"


class CommuneAlertSettings(models.Model):
    """Per commune: fallback agency, retention, and the emergency watch cell's switch."""

    commune = models.OneToOneField(
        "territory.Commune",
        on_delete=models.CASCADE,
        related_name="alert_settings",
        verbose_name=_("commune"),
    )
    fallback_agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service par défaut"),
    )
    retention_days = models.PositiveIntegerField(
        _("conservation (jours)"),
        default=365,
        help_text=_("Durée de conservation des signalements clôturés ou non retenus et de leurs photos."),
    )
    emergency_active = models.BooleanField(_("cellule de veille d'urgence active"), default=False)
    emergency_categories = models.ManyToManyField(
        Category, blank=True, related_name="+", verbose_name=_("catégories transmises sans modération")
    )
    emergency_reason = models.CharField(_("motif"), max_length=500, blank=True)
    emergency_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    emergency_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("réglages des signalements")
        verbose_name_plural = _("réglages des signalements")

    def __str__(self) -> str:
        return str(self.commune)


class ReferenceCounter(models.Model):
    """The last number given per commune and year; incremented under a row lock."""

    commune = models.ForeignKey("territory.Commune", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "year"], name="reference_counter_unique")]

    def __str__(self) -> str:
        return f"{self.commune_id}/{self.year}: {self.last}"


class Observation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de modération")
        DISPATCHED = "dispatched", _("transmis")
        ACKNOWLEDGED = "acknowledged", _("pris en compte")
        CLOSED = "closed", _("clôturé")
        REJECTED = "rejected", _("non retenu")
        MERGED = "merged", _("fusionné")

        # Nothing more will happen to it: the retention clock runs from here (not choices).
        FINISHED = enum.nonmember(frozenset({"closed", "rejected", "merged"}))

    # The only status changes there are (alerts/services/transitions.py refuses any other): moderation
    # dispatches, rejects or merges a pending item; its dispatches then move it on.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        "pending": frozenset({"dispatched", "rejected", "merged"}),
        "dispatched": frozenset({"acknowledged", "closed"}),
        "acknowledged": frozenset({"closed"}),
        "closed": frozenset(),
        "rejected": frozenset(),
        "merged": frozenset(),
    }

    class RejectReason(models.TextChoices):
        FALSE_REPORT = "false_report", _("signalement infondé ou mensonger")
        DISCRIMINATORY = "discriminatory", _("contenu discriminatoire ou injurieux")
        OUT_OF_SCOPE = "out_of_scope", _("ne relève pas de la police")
        INSUFFICIENT = "insufficient", _("informations insuffisantes")
        PRIVATE_DISPUTE = "private_dispute", _("litige d'ordre privé")
        OTHER = "other", _("autre motif")

    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.PROTECT, related_name="observations", verbose_name=_("commune")
    )
    reference = models.CharField(_("référence"), max_length=24, unique=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name=_("auteur"),
    )
    channel = models.CharField(_("canal"), max_length=5, choices=Channel.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="observations", verbose_name=_("catégorie")
    )
    description = models.TextField(_("texte"), max_length=2000)
    redacted_description = models.TextField(
        _("texte transmis à la police"),
        max_length=2000,
        blank=True,
        help_text=_("Vide : le texte d'origine."),
    )
    occurred_at = models.DateTimeField(_("constaté le"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    sector = models.ForeignKey(
        "territory.Sector",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name=_("secteur"),
    )
    in_progress = models.BooleanField(_("en cours"), default=False)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # A blocked sender's reports are kept but never reach the police (nor the queue).
    quarantined = models.BooleanField(_("expéditeur bloqué"), default=False)
    auto_approved = models.CharField(_("transmis sans modération"), max_length=20, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(
        _("motif de refus"), max_length=20, choices=RejectReason.choices, blank=True
    )
    reject_note = models.TextField(_("précision"), max_length=1000, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    created_at = models.DateTimeField(_("reçu le"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    # Closed, rejected or merged: the retention period runs from here.
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["commune", "status", "created_at"], name="observation_queue"),
            models.Index(fields=["author", "created_at"], name="observation_author"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def police_text(self) -> str:
        return self.redacted_description or self.description


class ObservationAddition(models.Model):
    """A follow-up text by the author. It waits for a moderator, who lets it reach the police (as written or
    redacted) or keeps it back: the police never read a follow-up that no moderator read first."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de modération")
        VISIBLE = "visible", _("visible de la police")
        REJECTED = "rejected", _("non retenu")

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="additions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    text = models.TextField(max_length=2000)
    redacted_text = models.TextField(
        _("texte transmis à la police"),
        max_length=2000,
        blank=True,
        help_text=_("Vide : le texte d'origine."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("complément")
        verbose_name_plural = _("compléments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.observation_id} + {self.pk}"

    @property
    def police_text(self) -> str:
        return self.redacted_text or self.text


def _photo_path(instance: "ObservationPhoto", filename: str) -> str:
    now = timezone.now()
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"private/observations/{now:%Y/%m}/{uuid.uuid4().hex}.{extension}"


class ObservationPhoto(models.Model):
    """Re-encoded by Pillow (no EXIF, no GPS); stored outside any public folder, streamed by a view."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=_photo_path, max_length=200)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.observation_id} #{self.position}"


class ObservationTransition(models.Model):
    """Every status change is a row: who, from, to, why, when."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    reason = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.observation_id}: {self.from_status or '∅'} → {self.to_status}"


class Dispatch(models.Model):
    """One observation sent to one agency."""

    class Status(models.TextChoices):
        SENT = "sent", _("transmis")
        ACKNOWLEDGED = "acknowledged", _("pris en compte")
        CLOSED = "closed", _("clôturé")
        HANDED_OVER = "handed_over", _("transféré")

        # Still the agency's to act on (not choices).
        OPEN = enum.nonmember(frozenset({"sent", "acknowledged"}))

    class Outcome(models.TextChoices):
        INTERVENTION = "intervention", _("intervention effectuée")
        ARREST = "arrest", _("interpellation")
        PROCEDURE = "procedure", _("procédure ou plainte")
        NO_TRACE = "no_trace", _("rien constaté sur place")
        NO_OFFENCE = "no_offence", _("pas d'infraction")
        INFORMATION = "information", _("pris pour information")
        OTHER = "other", _("autre")

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="dispatches")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="dispatches")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SENT, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    ack_deadline = models.DateTimeField(null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    source = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Le transfert ou la relance qui a créé cette transmission."),
    )

    class Meta:
        verbose_name = _("transmission")
        verbose_name_plural = _("transmissions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["observation", "agency"], name="dispatch_one_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.observation_id} → {self.agency_id}"


class DispatchNote(models.Model):
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.dispatch_id} #{self.pk}"


class SenderStanding(models.Model):
    """Rejections of a sender; flagged to the coordinator past a threshold, who may block them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="standing")
    rejections = models.PositiveIntegerField(_("signalements non retenus"), default=0)
    flagged_at = models.DateTimeField(_("signalé au coordonnateur le"), null=True, blank=True)
    blocked_at = models.DateTimeField(_("bloqué le"), null=True, blank=True)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    block_reason = models.CharField(_("motif du blocage"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("fiabilité d'un expéditeur")
        verbose_name_plural = _("fiabilité des expéditeurs")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.rejections}"


class Notification(models.Model):
    """What a person was told (status updates, broadcasts): their inbox."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("nature"), max_length=40, db_index=True)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    data = models.JSONField(_("données"), default=dict, blank=True)
    observation = models.ForeignKey(
        Observation, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.title


class ObservationDelivery(models.Model):
    """An outbox row caused by an observation: a status message to its author, an agency webhook, an SMS to
    a duty phone. The retention purge deletes those rows with the observation through this key (never by
    matching strings), and an agency's failed webhooks are found through `agency`."""

    delivery = models.OneToOneField(
        "messaging.Delivery", on_delete=models.CASCADE, related_name="observation_link"
    )
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="delivery_links")
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="delivery_links"
    )

    class Meta:
        verbose_name = _("envoi lié à un signalement")
        verbose_name_plural = _("envois liés à un signalement")

    def __str__(self) -> str:
        return f"{self.observation_id} → {self.delivery_id}"


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

    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
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
