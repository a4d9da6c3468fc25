import base64
import binascii
import re
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.messaging.backends.webpush import webpush_enabled
from backend.messaging.models import Device

# FCM registration tokens are URL-safe: letters, digits, ':', '_', '-', '.'.
token_validator = RegexValidator(
    r"^[A-Za-z0-9:_\-.]+$", _("Jeton illisible : lettres, chiffres et « : _ - . » seulement.")
)
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


def _base64url_bytes(value: str) -> bytes | None:
    if not _BASE64URL.match(value):
        return None
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None


class WebPushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(
        max_length=100,
        help_text="Clé publique P-256 du navigateur, point non compressé (65 octets), base64url.",
    )
    auth = serializers.CharField(max_length=40, help_text="Secret d'authentification (16 octets), base64url.")

    def validate_p256dh(self, value: str) -> str:
        raw = _base64url_bytes(value)
        try:
            if raw is None or len(raw) != 65 or raw[0] != 4:
                raise ValueError
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise serializers.ValidationError(
                _("Clé illisible : un point P-256 non compressé de 65 octets, en base64url.")
            ) from None
        return value

    def validate_auth(self, value: str) -> str:
        raw = _base64url_bytes(value)
        if raw is None or len(raw) != 16:
            raise serializers.ValidationError(_("Secret illisible : 16 octets en base64url."))
        return value


class WebPushSubscriptionSerializer(serializers.Serializer):
    """The browser's PushSubscription as `JSON.stringify(subscription)` gives it."""

    endpoint = serializers.URLField(max_length=2048, help_text="L'adresse du service push (https).")
    keys = WebPushKeysSerializer()
    expirationTime = serializers.IntegerField(  # the browser's own name
        required=False, allow_null=True, help_text="Accepté et ignoré."
    )

    def validate_endpoint(self, value: str) -> str:
        if not value.startswith("https://"):
            raise serializers.ValidationError(_("L'adresse du service push doit commencer par https://."))
        return value


class DeviceInputSerializer(serializers.Serializer):
    token = serializers.CharField(
        min_length=8,
        max_length=4096,
        validators=[token_validator],
        required=False,
        help_text="Le jeton FCM (android, ios, ou web avec le SDK JavaScript de Firebase).",
    )
    platform = serializers.ChoiceField(choices=Device.Platform.choices)
    subscription = WebPushSubscriptionSerializer(
        required=False, help_text="L'abonnement Web Push du navigateur (web) ; son adresse sert de jeton."
    )
    app_version = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Returns what device_register takes: the token (a web subscription's endpoint) and web keys.

        A bare token stays an FCM token on every platform (web: the Firebase JavaScript SDK's)."""
        subscription = attrs.get("subscription")
        web = attrs["platform"] == Device.Platform.WEB
        if subscription is None:
            if "token" not in attrs:
                if web:
                    raise serializers.ValidationError(
                        {
                            "subscription": [
                                _("Ce champ est obligatoire pour un navigateur (platform « web »).")
                            ]
                        }
                    )
                raise serializers.ValidationError({"token": [_("Ce champ est obligatoire.")]})
            return {
                "token": attrs["token"],
                "platform": attrs["platform"],
                "app_version": attrs["app_version"],
            }
        if not web:
            raise serializers.ValidationError(
                {"subscription": [_("Un abonnement Web Push va avec platform « web ».")]}
            )
        if "token" in attrs:
            raise serializers.ValidationError(
                {"token": [_("Pas de jeton avec un abonnement Web Push : son adresse sert de jeton.")]}
            )
        if not webpush_enabled():
            raise serializers.ValidationError(
                {"platform": [_("Les notifications web ne sont pas activées sur ce serveur.")]}
            )
        return {
            "token": subscription["endpoint"],
            "platform": attrs["platform"],
            "app_version": attrs["app_version"],
            "web_p256dh": subscription["keys"]["p256dh"],
            "web_auth": subscription["keys"]["auth"],
        }


class DeviceOutputSerializer(serializers.ModelSerializer[Device]):
    class Meta:
        model = Device
        fields = ["id", "token", "platform", "app_version", "is_active", "created_at", "last_seen_at"]
        read_only_fields = fields


class WebPushConfigSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="Faux : le serveur n'envoie pas de notifications web.")
    public_key = serializers.CharField(
        allow_blank=True,
        help_text="La clé publique VAPID (applicationServerKey), base64url ; vide quand enabled est faux.",
    )
