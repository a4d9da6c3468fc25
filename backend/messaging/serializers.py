from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.messaging.models import Device

# FCM registration tokens (and web-push ones) are URL-safe: letters, digits, ':', '_', '-', '.'.
token_validator = RegexValidator(
    r"^[A-Za-z0-9:_\-.]+$", _("Jeton illisible : lettres, chiffres et « : _ - . » seulement.")
)


class DeviceInputSerializer(serializers.Serializer):
    token = serializers.CharField(min_length=8, max_length=4096, validators=[token_validator])
    platform = serializers.ChoiceField(choices=Device.Platform.choices)
    app_version = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class DeviceOutputSerializer(serializers.ModelSerializer[Device]):
    class Meta:
        model = Device
        fields = ["id", "token", "platform", "app_version", "is_active", "created_at", "last_seen_at"]
        read_only_fields = fields
