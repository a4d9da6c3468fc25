from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.serializers import CommuneBriefSerializer, TokenPairSerializer
from backend.territory.serializers import SectorBriefSerializer
from neighbours.models import Charter, Invitation, Protocol, Referent
from neighbours.selectors import PUSH_KINDS


# --- inputs ---------------------------------------------------------------------------------------------
class SectorRefField(serializers.CharField):
    """A sector by id or slug (resolved against the commune by the service)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 120)
        kwargs.setdefault(
            "help_text", "Identifiant numérique ou slug du secteur (par exemple « la-gavotte »)."
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, bool) or not isinstance(data, str | int):
            raise serializers.ValidationError(_("Indiquez le secteur par son identifiant ou son slug."))
        return super().to_internal_value(str(data))


class ApplicationInputSerializer(serializers.Serializer):
    verification_token = serializers.CharField(
        max_length=500, help_text="Jeton de POST /api/v1/auth/token/ avec « purpose »: « verify »."
    )
    commune = serializers.SlugField(max_length=120, help_text="Slug de la commune.")
    sector = SectorRefField()
    display_name = serializers.CharField(min_length=2, max_length=150)
    motivation = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class InvitationAcceptInputSerializer(serializers.Serializer):
    verification_token = serializers.CharField(max_length=500)
    display_name = serializers.CharField(
        min_length=2, max_length=150, required=False, help_text="À défaut, le nom saisi par la mairie."
    )


class InvitationInputSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=40)
    sector = SectorRefField()
    display_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class CharterAcceptInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="La version lue, qui doit être la version en vigueur."
    )


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=3, max_length=1000)


class OptionalReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ReferentUpdateInputSerializer(serializers.Serializer):
    sector = SectorRefField(required=False)
    trusted = serializers.BooleanField(required=False)


class ReferentFilterSerializer(serializers.Serializer):
    sector = SectorRefField(required=False)
    status = serializers.ChoiceField(choices=Referent.Status.choices, required=False)


@extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "example": "22:00"})
class HourMinuteField(serializers.TimeField):
    """A time of day as "HH:MM" (OpenAPI's `time` format wants seconds and a zone)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class PreferencesInputSerializer(serializers.Serializer):
    push = serializers.DictField(
        child=serializers.BooleanField(),
        required=False,
        help_text="Par type de diffusion (" + ", ".join(PUSH_KINDS) + ") : true pour recevoir en push.",
    )
    quiet_hours_start = HourMinuteField(required=False, allow_null=True)
    quiet_hours_end = HourMinuteField(required=False, allow_null=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)


# --- outputs --------------------------------------------------------------------------------------------
class ProtocolSerializer(serializers.ModelSerializer[Protocol]):
    police_force_label = serializers.CharField(source="get_police_force_display")
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = Protocol
        fields = [
            "signed_on",
            "starts_on",
            "ends_on",
            "police_force",
            "police_force_label",
            "police_unit",
            "in_force",
        ]
        read_only_fields = fields

    def get_in_force(self, protocol: Protocol) -> bool:
        return protocol.starts_on <= timezone.localdate() <= protocol.ends_on


class CharterSerializer(serializers.ModelSerializer[Charter]):
    class Meta:
        model = Charter
        fields = ["version", "text", "published_at"]
        read_only_fields = fields


class ReferentMeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    phone = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=Referent.Status.choices)
    status_label = serializers.CharField()
    commune = CommuneBriefSerializer()
    sector = SectorBriefSerializer()
    trusted = serializers.BooleanField()
    charter = CharterSerializer(
        allow_null=True, help_text="La charte en vigueur (null si pas encore publiée)."
    )
    charter_accepted_version = serializers.IntegerField(allow_null=True)
    charter_accepted_at = serializers.DateTimeField(allow_null=True)
    must_accept_charter = serializers.BooleanField()
    protocol = ProtocolSerializer(
        allow_null=True, help_text="Le protocole en vigueur, sinon le dernier signé."
    )
    can_submit = serializers.BooleanField()
    cannot_submit_reason = serializers.CharField(allow_blank=True)


class EnrolmentOutputSerializer(TokenPairSerializer):
    referent = ReferentMeSerializer()


class ApplicationBriefSerializer(serializers.Serializer):
    motivation = serializers.CharField()
    created_at = serializers.DateTimeField()


class StatusChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    actor_id = serializers.IntegerField(allow_null=True)


class ReferentOutputSerializer(serializers.ModelSerializer[Referent]):
    display_name = serializers.CharField(source="user.display_name")
    phone = serializers.SerializerMethodField()
    user_id = serializers.IntegerField()
    status_label = serializers.CharField(source="get_status_display")
    sector = SectorBriefSerializer()
    application = serializers.SerializerMethodField()

    class Meta:
        model = Referent
        fields = [
            "id",
            "user_id",
            "display_name",
            "phone",
            "status",
            "status_label",
            "sector",
            "trusted",
            "source",
            "charter_version",
            "charter_accepted_at",
            "created_at",
            "status_changed_at",
            "application",
        ]
        read_only_fields = fields

    def get_phone(self, referent: Referent) -> str | None:
        return referent.user.phone.as_e164 if referent.user.phone else None

    @extend_schema_field(ApplicationBriefSerializer(allow_null=True))
    def get_application(self, referent: Referent) -> dict[str, Any] | None:
        application = getattr(referent, "application", None)
        if application is None:
            return None
        return dict(ApplicationBriefSerializer(application).data)


class ReferentDetailSerializer(ReferentOutputSerializer):
    history = StatusChangeSerializer(source="status_changes", many=True)

    class Meta(ReferentOutputSerializer.Meta):
        fields = [*ReferentOutputSerializer.Meta.fields, "history"]
        read_only_fields = fields


class InvitationOutputSerializer(serializers.ModelSerializer[Invitation]):
    sector = SectorBriefSerializer()
    state = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "code",
            "phone",
            "display_name",
            "sector",
            "created_at",
            "expires_at",
            "accepted_at",
            "state",
        ]
        read_only_fields = fields

    def get_state(self, invitation: Invitation) -> str:
        if invitation.accepted_at is not None:
            return "accepted"
        return "expired" if invitation.expires_at <= timezone.now() else "pending"


class PreferencesOutputSerializer(serializers.Serializer):
    push = serializers.DictField(child=serializers.BooleanField())
    push_locked = serializers.ListField(
        child=serializers.CharField(), help_text="Types qui ne peuvent pas être désactivés en ce moment."
    )
    push_kinds = serializers.DictField(
        child=serializers.CharField(), help_text="Libellés des types de diffusion."
    )
    quiet_hours_start = HourMinuteField(allow_null=True)
    quiet_hours_end = HourMinuteField(allow_null=True)
    language = serializers.CharField()
