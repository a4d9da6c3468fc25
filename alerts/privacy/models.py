"""A data-protection rights request (RGPD art. 15 to 21) and the steps it goes through."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RightsRequest(models.Model):
    """One request from a referent, a shopkeeper, a resident or a third party who believes they are named
    in a report; the DPO or the commune admin checks the identity, searches, decides (or defers) within
    the deadline, and the requester is told by the channel they chose."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("accès (art. 15)")
        RECTIFICATION = "rectification", _("rectification (art. 16)")
        ERASURE = "erasure", _("effacement (art. 17)")
        RESTRICTION = "restriction", _("limitation (art. 18)")
        OBJECTION = "objection", _("opposition (art. 21)")

    class Requester(models.TextChoices):
        REFERENT = "referent", _("référent")
        SHOPKEEPER = "shopkeeper", _("commerçant")
        RESIDENT = "resident", _("habitant (opération tranquillité vacances)")
        THIRD_PARTY = "third_party", _("personne qui pense être citée dans un signalement")

    class Channel(models.TextChoices):
        EMAIL = "email", _("courriel")
        SMS = "sms", _("SMS")
        POST = "post", _("courrier postal")

    class Status(models.TextChoices):
        RECEIVED = "received", _("reçue")
        IDENTITY_CHECKED = "identity_checked", _("identité vérifiée")
        DEFERRED = "deferred", _("réponse différée")
        DECIDED = "decided", _("décidée")

    class Decision(models.TextChoices):
        GRANTED = "granted", _("accordée")
        PARTIAL = "partial", _("accordée en partie")
        REFUSED = "refused", _("refusée")
        NOTHING_HELD = "nothing_held", _("aucune donnée trouvée")

    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.CASCADE, related_name="+", verbose_name=_("commune")
    )
    reference = models.CharField(_("référence"), max_length=24, unique=True)
    kind = models.CharField(_("droit exercé"), max_length=20, choices=Kind.choices)
    requester = models.CharField(_("demandeur"), max_length=20, choices=Requester.choices)
    name = models.CharField(_("nom et prénom"), max_length=160)
    channel = models.CharField(_("réponse par"), max_length=10, choices=Channel.choices)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    postal_address = models.TextField(_("adresse postale"), blank=True)
    details = models.TextField(_("demande"), help_text=_("Ce que la personne demande, dans ses mots."))
    # Where the third party thinks they are named: a reference, or a period and a place.
    observation_reference = models.CharField(_("référence du signalement"), max_length=24, blank=True)
    period_start = models.DateField(_("faits à partir du"), null=True, blank=True)
    period_end = models.DateField(_("faits jusqu'au"), null=True, blank=True)
    identity_proof = models.TextField(
        _("justificatif d'identité annoncé"),
        help_text=_("Le justificatif que la personne dit joindre ou présenter (jamais sa copie ici)."),
    )
    identity_declared = models.BooleanField(_("identité déclarée sur l'honneur"), default=False)
    identity_checked_at = models.DateTimeField(_("identité vérifiée le"), null=True, blank=True)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    identity_check_note = models.CharField(_("vérification"), max_length=300, blank=True)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(_("reçue le"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("réponse due le"))
    extension_reason = models.TextField(_("motif de la prolongation"), blank=True)
    # Art. 14(5)(b) / art. 23 and loi I&L art. 48, 52: no information while an investigation needs it.
    deferral_ground = models.TextField(_("motif du report"), blank=True)
    deferred_until = models.DateField(_("reportée jusqu'au"), null=True, blank=True)
    matched_references = models.TextField(
        _("signalements concernés"), blank=True, help_text=_("Références trouvées, une par ligne.")
    )
    decision = models.CharField(_("décision"), max_length=20, choices=Decision.choices, blank=True)
    legal_ground = models.TextField(_("fondement de la décision"), blank=True)
    answer = models.TextField(_("réponse envoyée"), blank=True)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(_("dernier rappel"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande d'exercice de droits")
        verbose_name_plural = _("demandes d'exercice de droits")
        ordering = ["due_at"]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.DECIDED
