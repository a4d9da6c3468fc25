"""Shapes of the observations API: inputs validate types, outputs document (and render) responses."""

from typing import Any

from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from alerts.models import (
    Category,
    CommuneAlertSettings,
    Dispatch,
    Observation,
    ObservationPhoto,
    ObservationRead,
)
from alerts.selectors import transitions_for_author
from backend.core.api import ErrorSerializer
from backend.core.emergency import emergency_call
from backend.territory.serializers import SectorBriefSerializer

PHOTO_URL_SALT = "alerts.photo"
PHOTO_URL_MAX_AGE = 15 * 60


# --- inputs ------------------------------------------------------------------------------------


class StrictCharField(serializers.CharField):
    """A string, not a number or a boolean turned into one."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError(_("Texte attendu."))
        return super().to_internal_value(data)


class ObservationInputSerializer(serializers.Serializer):
    category = StrictCharField(max_length=40, help_text="Identifiant (slug) de la catégorie.")
    description = StrictCharField(
        max_length=2000,
        trim_whitespace=True,
        help_text=(
            "Les faits, décrits : personnes (taille, tenue), véhicule, direction prise. Pas de nom, rien sur "
            "la santé, l'origine ou la religion de quiconque ; un modérateur relit avant toute transmission."
        ),
    )
    occurred_at = serializers.DateTimeField(help_text="Date et heure des faits (ISO 8601, avec fuseau).")
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    sector = serializers.SlugField(
        required=False, allow_null=True, allow_blank=True, help_text="À défaut de coordonnées : le secteur."
    )
    in_progress = serializers.BooleanField(default=False, help_text="Les faits sont en cours.")
    accuracy = serializers.FloatField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=10_000,
        help_text="Incertitude de la position en mètres (avec des coordonnées seulement).",
    )
    place = StrictCharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Lieu en quelques mots (« devant la boulangerie »), sans nom de personne ; relu par un modérateur.",
    )


class ObservationMultipartInputSerializer(ObservationInputSerializer):
    photos = serializers.ListField(
        child=serializers.ImageField(),
        required=False,
        max_length=5,
        help_text="Jusqu'à 5 photos JPEG, PNG ou WebP de 10 Mo au plus.",
    )


class AdditionInputSerializer(serializers.Serializer):
    text = StrictCharField(
        max_length=2000,
        help_text="Un complément aux faits ; comme la description, sans nom ni donnée de santé, d'origine ou de religion.",
    )


class ApproveInputSerializer(serializers.Serializer):
    category = serializers.CharField(max_length=40, required=False, allow_blank=True)
    redacted_description = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Texte transmis à la police ; l'original reste visible des seuls modérateurs.",
    )
    redacted_place = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Lieu transmis à la police (vide : le lieu d'origine) ; l'original reste aux modérateurs.",
    )
    agencies = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=True,
        max_length=10,
        help_text="Services destinataires ; à défaut, ceux que propose l'orientation.",
    )


class RejectInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=Observation.RejectReason.choices, error_messages={"invalid_choice": _("Motif inconnu.")}
    )
    note = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Précision communiquée à l'auteur.",
    )


class MergeInputSerializer(serializers.Serializer):
    into = serializers.IntegerField(min_value=1, help_text="Identifiant du signalement conservé.")


class AssignInputSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(min_value=1, help_text="Identifiant d'un opérateur du service.")


class NoteInputSerializer(serializers.Serializer):
    text = StrictCharField(max_length=2000)


class HandoverInputSerializer(serializers.Serializer):
    agency = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=2000)


class CloseInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=Dispatch.Outcome.choices, error_messages={"invalid_choice": _("Issue inconnue.")}
    )


class EmergencyModeInputSerializer(serializers.Serializer):
    active = serializers.BooleanField()
    categories = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list
    )
    reason = serializers.CharField(max_length=500)


class SenderBlockInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


# --- outputs -----------------------------------------------------------------------------------


def photo_signature(photo_id: int) -> str:
    return signing.TimestampSigner(salt=PHOTO_URL_SALT).sign(str(photo_id))


def photo_url(request: Request | None, photo: ObservationPhoto) -> str:
    path = reverse("alerts-observation-photo", kwargs={"pk": photo.observation_id, "photo_id": photo.pk})
    path = f"{path}?signature={photo_signature(photo.pk)}"
    return request.build_absolute_uri(path) if request is not None else path


def photos_data(request: Request | None, observation: Observation) -> list[dict[str, Any]]:
    return [
        {
            "id": photo.pk,
            "url": photo_url(request, photo),
            "content_type": photo.content_type,
            "width": photo.width,
            "height": photo.height,
        }
        for photo in observation.photos.all()
    ]


class ObservationCategorySerializer(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["slug", "label", "urgent"]


class CategoryListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ObservationCategorySerializer(many=True)
    emergency_reminder = serializers.CharField()


class ObservationPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField(help_text="Adresse signée, valable 15 minutes.")
    content_type = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class AuthorHistorySerializer(serializers.Serializer):
    status = serializers.CharField()
    status_label = serializers.CharField()
    at = serializers.DateTimeField()


class ObservationSerializer(serializers.Serializer):
    """What the author sees of their observation (the request in the context signs the photos' links)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField(help_text="pending, dispatched, acknowledged, closed, rejected, merged")
    status_label = serializers.CharField(source="get_status_display")
    channel = serializers.CharField()
    category = ObservationCategorySerializer()
    description = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    accuracy = serializers.IntegerField(allow_null=True)
    address = serializers.CharField(help_text="Adresse la plus proche des coordonnées (vide : inconnue).")
    place = serializers.CharField()
    sector = SectorBriefSerializer(allow_null=True)
    in_progress = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    photos = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    emergency_reminder = serializers.SerializerMethodField()

    @extend_schema_field(ObservationPhotoSerializer(many=True))
    def get_photos(self, observation: Observation) -> list[dict[str, Any]]:
        return photos_data(self.context.get("request"), observation)

    @extend_schema_field(AuthorHistorySerializer(many=True))
    def get_history(self, observation: Observation) -> list[dict[str, Any]]:
        return transitions_for_author(observation)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_emergency_reminder(self, observation: Observation) -> str | None:
        return emergency_call() if observation.in_progress else None


class AlertsPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ConsoleObservationSerializer(serializers.Serializer):
    """An observation as consoles draw it (the same dict as the realtime events carry)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    commune_id = serializers.IntegerField()
    category = ObservationCategorySerializer()
    urgent = serializers.BooleanField()
    in_progress = serializers.BooleanField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    channel = serializers.CharField(help_text="app, sms, web")
    channel_label = serializers.CharField(help_text="Le canal en clair : application, SMS, formulaire web.")
    sector = SectorBriefSerializer(allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    accuracy = serializers.IntegerField(allow_null=True, help_text="Incertitude de la position (mètres).")
    address = serializers.CharField(help_text="Adresse la plus proche à la réception (vide : inconnue).")
    address_distance = serializers.IntegerField(
        allow_null=True, help_text="Distance à cette adresse (mètres)."
    )
    geo_uri = serializers.CharField(allow_null=True, help_text="URI geo:lat,lon (application de carte).")
    map_url = serializers.CharField(allow_null=True, help_text="Carte web (réglage CONSOLE_WEB_MAP_URL).")
    occurred_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    description = serializers.CharField(help_text="Police : le texte caviardé s'il existe.")
    place = serializers.CharField(help_text="Lieu donné par l'auteur ; police : caviardé s'il l'a été.")
    photo_count = serializers.IntegerField()
    photos = ObservationPhotoSerializer(many=True, required=False)


class ModerationHistorySerializer(serializers.Serializer):
    from_status = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    actor = AlertsPersonSerializer(allow_null=True)
    reason = serializers.CharField()
    note = serializers.CharField()
    at = serializers.DateTimeField()


class ObservationAdditionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField(help_text="Pour la police : le texte validé (caviardé s'il l'a été).")
    redacted_text = serializers.CharField(
        required=False, help_text="Modération seulement : le texte caviardé transmis à la police."
    )
    status = serializers.CharField(help_text="pending (en attente de modération), visible, rejected")
    channel = serializers.CharField()
    created_at = serializers.DateTimeField()


class AdditionObservationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()


class ModerationAdditionSerializer(ObservationAdditionSerializer):
    observation = AdditionObservationSerializer()


class AdditionReviewInputSerializer(serializers.Serializer):
    redacted_text = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Texte transmis à la police à la place de l'original (vide : l'original).",
    )


class AgencyBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class AgencyNameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ObservationDispatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency = AgencyNameSerializer()
    status = serializers.CharField(help_text="sent, acknowledged, closed, handed_over")


class DuplicateSerializer(serializers.Serializer):
    """An earlier report that a pending one likely repeats (`alerts.selectors.observation_duplicates`)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()
    category = serializers.CharField(help_text="Libellé de la catégorie.")
    distance_m = serializers.IntegerField(
        allow_null=True, help_text="Distance en mètres (vide : l'un des deux n'a pas de position)."
    )
    minutes = serializers.IntegerField(help_text="Écart entre les heures des faits, en minutes.")
    reason = serializers.ChoiceField(
        choices=["nearby", "same_place"],
        help_text="nearby : même catégorie à moins de 300 m et 2 h ; same_place : même commerce en 2 h.",
    )


class PersonalDataFlagSerializer(serializers.Serializer):
    """A likely piece of personal data in the free text (`alerts.personal_data_flags`): a suggestion to
    redact, never applied by itself."""

    field = serializers.ChoiceField(choices=["description", "place", "addition"])
    addition = serializers.IntegerField(allow_null=True, help_text="Le complément concerné (sinon vide).")
    kind = serializers.ChoiceField(choices=["phone", "email", "plate", "name", "iban"])
    kind_label = serializers.CharField(help_text="La nature en clair : « Numéro de téléphone »…")
    text = serializers.CharField(help_text="Le passage repéré.")
    start = serializers.IntegerField(help_text="Sa position dans le texte (caractères, depuis 0).")
    end = serializers.IntegerField(help_text="La fin du passage (exclue).")


class ModerationItemSerializer(ConsoleObservationSerializer):
    redacted_description = serializers.CharField()
    redacted_place = serializers.CharField()
    author = AlertsPersonSerializer(allow_null=True)
    claimed_by = AlertsPersonSerializer(allow_null=True)
    claim_expires_at = serializers.DateTimeField(allow_null=True)
    auto_approved = serializers.CharField()
    additions = ObservationAdditionSerializer(many=True)
    suggested_agencies = AgencyBriefSerializer(many=True, required=False)
    history = ModerationHistorySerializer(many=True, required=False)
    dispatches = ObservationDispatchSerializer(
        many=True, required=False, help_text="Fiche seulement : les services à qui il a été transmis."
    )
    likely_duplicates = DuplicateSerializer(
        many=True,
        required=False,
        help_text="Fiche seulement : les doublons probables, le plus proche d'abord.",
    )
    personal_data_flags = PersonalDataFlagSerializer(
        many=True,
        help_text=(
            "Données personnelles probables (téléphone, e-mail, plaque, nom après « M. » ou « Mme », IBAN) "
            "dans le texte, le lieu et les compléments : à caviarder avant validation ; jamais modifiées "
            "d'office."
        ),
    )


class ModerationConflictSerializer(ErrorSerializer):
    """A moderation action refused: the observation was decided (its status) or another moderator
    holds it (who, until when)."""

    status = serializers.CharField(required=False)
    claimed_by = AlertsPersonSerializer(allow_null=True, required=False)
    claim_expires_at = serializers.DateTimeField(allow_null=True, required=False)


class AgencyTokenBriefSerializer(serializers.Serializer):
    """An agency token as notes name it (its agency's system wrote the note)."""

    id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]


class DispatchNoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    author = AlertsPersonSerializer(allow_null=True)
    agency_token = AgencyTokenBriefSerializer(
        allow_null=True, help_text="Le jeton du service qui a écrit la note, quand ce n'est pas une personne."
    )
    created_at = serializers.DateTimeField()


class DispatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="sent, acknowledged, closed, handed_over")
    status_label = serializers.CharField()
    agency = AgencyBriefSerializer()
    assignee = AlertsPersonSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    ack_deadline = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    escalated = serializers.BooleanField()
    escalated_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    observation = ConsoleObservationSerializer()
    notes = DispatchNoteSerializer(many=True, required=False)
    additions = ObservationAdditionSerializer(many=True, required=False)


class PersonSerializer(serializers.Serializer):
    """A staff member or an author as the API names them (a user row)."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class EmergencyModeSerializer(serializers.Serializer):
    """A commune's emergency cell (its CommuneAlertSettings row)."""

    active = serializers.BooleanField(source="emergency_active")
    categories = serializers.SerializerMethodField()
    reason = serializers.CharField(source="emergency_reason")
    changed_by = PersonSerializer(source="emergency_changed_by", allow_null=True)
    changed_at = serializers.DateTimeField(source="emergency_changed_at", allow_null=True)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_categories(self, row: CommuneAlertSettings) -> list[str]:
        return sorted(category.slug for category in row.emergency_categories.all())


class SenderStandingSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    rejections = serializers.IntegerField()
    flagged_at = serializers.DateTimeField(allow_null=True)
    blocked_at = serializers.DateTimeField(allow_null=True)
    block_reason = serializers.CharField()


class ReadLogFilterSerializer(serializers.Serializer):
    observation = serializers.IntegerField(required=False, min_value=1)
    officer = serializers.IntegerField(required=False, min_value=1)
    author = serializers.IntegerField(required=False, min_value=1)


class ReadOfficerSerializer(PersonSerializer):
    role = serializers.CharField()


class ObservationReadSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    observation_id = serializers.IntegerField()
    reference = serializers.CharField()
    officer = ReadOfficerSerializer(source="actor", allow_null=True)
    agency_token = AgencyTokenBriefSerializer(
        allow_null=True, help_text="Le jeton du service dont le logiciel l'a lu, quand ce n'est pas un agent."
    )
    door = serializers.ChoiceField(choices=ObservationRead.Door.choices)
    view = serializers.CharField()
    ip = serializers.IPAddressField(allow_null=True)


class AgencyTokenInputSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=80, help_text="Le logiciel qui utilisera le jeton.")  # type: ignore[assignment]


class AgencyTokenSerializer(serializers.Serializer):
    """An agency token as its admins see it: never its secret (only its first characters, `prefix`)."""

    id = serializers.IntegerField()
    agency = serializers.IntegerField(source="agency_id")
    label = serializers.CharField()  # type: ignore[assignment]
    prefix = serializers.CharField(help_text="Le début du jeton, pour le reconnaître.")
    created_at = serializers.DateTimeField()
    created_by = PersonSerializer(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoked_by = PersonSerializer(allow_null=True)


class AgencyTokenCreatedSerializer(AgencyTokenSerializer):
    """The new token, and its secret in clear: given in the context (`secret`), never read from the row."""

    token = serializers.SerializerMethodField(
        help_text="Le jeton en clair, montré cette fois seulement : Vigie n'en garde que l'empreinte."
    )

    @extend_schema_field(OpenApiTypes.STR)
    def get_token(self, obj: Any) -> str:
        return str(self.context["secret"])
