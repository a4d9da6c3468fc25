"""Shapes of the video-protection API: inputs (checked, then given to the services) and outputs."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from alerts.video.models import Extraction, FootageRequest


class CameraSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    sector = serializers.CharField(source="sector.name", allow_null=True, default=None)
    films = serializers.CharField(help_text="Ce que la caméra filme.")
    is_active = serializers.BooleanField()


class FootageRequestInputSerializer(serializers.Serializer):
    agency = serializers.IntegerField(help_text="Id du service requérant (GET /api/v1/agencies/).")
    officer_name = serializers.CharField(max_length=150, help_text="Nom et grade de l'agent requérant.")
    officer_is_opj = serializers.BooleanField(
        default=False, help_text="L'agent est officier de police judiciaire."
    )
    kind = serializers.ChoiceField(choices=FootageRequest.Kind.choices)
    requisition_reference = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        default="",
        help_text="Exigée pour une demande judiciaire.",
    )
    motive = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    cameras = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=50)
    start = serializers.DateTimeField(help_text="Début des images demandées (ISO 8601).")
    end = serializers.DateTimeField(help_text="Fin des images demandées : 12 heures au plus après le début.")
    observation = serializers.IntegerField(required=False, allow_null=True, default=None)


class RefuseInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ExtractedFileSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    sha256 = serializers.RegexField(
        r"^[0-9a-fA-F]{64}$",
        help_text="Empreinte SHA-256 du fichier, 64 caractères hexadécimaux.",
        error_messages={"invalid": _("Une empreinte SHA-256 compte 64 caractères hexadécimaux.")},
    )


class ExtractionInputSerializer(serializers.Serializer):
    medium = serializers.ChoiceField(choices=Extraction.Medium.choices)
    files = ExtractedFileSerializer(many=True)
    recipient_name = serializers.CharField(max_length=150, help_text="Qui a reçu les images (nom, service).")
    handed_over_at = serializers.DateTimeField()
    corrects = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Id de l'extraction que celle-ci corrige."
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DestructionInputSerializer(serializers.Serializer):
    destroyed_at = serializers.DateTimeField()
    witness_name = serializers.CharField(max_length=150)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DestructionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    destroyed_at = serializers.DateTimeField()
    witness_name = serializers.CharField()
    note = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class ExtractionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    request = serializers.IntegerField(source="request_id")
    medium = serializers.CharField()
    medium_label = serializers.CharField(source="get_medium_display")
    files = ExtractedFileSerializer(many=True)
    recipient_name = serializers.CharField()
    handed_over_at = serializers.DateTimeField()
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)
    note = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    destructions = DestructionSerializer(many=True)


class FootageRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    agency_kind = serializers.CharField(source="agency.kind")
    officer_name = serializers.CharField()
    officer_is_opj = serializers.BooleanField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    requisition_reference = serializers.CharField()
    motive = serializers.CharField()
    cameras = CameraSerializer(many=True, source="cameras.all")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    observation = serializers.IntegerField(source="observation_id", allow_null=True)
    status = serializers.CharField(help_text="pending, refused ou extracted.")
    status_label = serializers.CharField(source="get_status_display")
    refusal_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    extractions = ExtractionSerializer(many=True, source="extractions.all")


class MonthlyTotalsSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="Premier jour du mois.")
    requests = serializers.IntegerField()
    by_agency_kind = serializers.DictField(
        child=serializers.IntegerField(), help_text="Demandes par nature de service requérant."
    )
    by_kind = serializers.DictField(child=serializers.IntegerField(), help_text="Demandes par nature.")
    refused = serializers.IntegerField()
    extracted_requests = serializers.IntegerField()
    extractions = serializers.IntegerField()
    destructions = serializers.IntegerField()
    median_delay_hours = serializers.FloatField(
        allow_null=True, help_text="Délai médian entre la réception et la première extraction (heures)."
    )
    max_delay_hours = serializers.FloatField(allow_null=True)


class MonthInputSerializer(serializers.Serializer):
    month = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$", error_messages={"invalid": _("Mois au format AAAA-MM.")}
    )


class PeriodInputSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, data: dict[str, object]) -> dict[str, object]:
        if data["end"] < data["start"]:  # type: ignore[operator]
            raise serializers.ValidationError({"end": _("La fin de la période doit suivre son début.")})
        return data


class FootageRequestedSerializer(serializers.Serializer):
    observation = serializers.IntegerField()
    requests = serializers.IntegerField(help_text="Nombre de demandes d'images liées à ce signalement.")
