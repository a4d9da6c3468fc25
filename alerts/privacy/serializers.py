"""The privacy notice as the API serves it (closed objects: the schema says every field)."""

from rest_framework import serializers


class _CommuneSerializer(serializers.Serializer):
    name = serializers.CharField()
    insee_code = serializers.CharField()
    slug = serializers.CharField()


class _DpoSerializer(serializers.Serializer):
    email = serializers.CharField(help_text="Courriel du délégué ; vide si la commune n'en publie pas.")
    postal_address = serializers.CharField()


class _RetentionSerializer(serializers.Serializer):
    rule = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    period = serializers.CharField(help_text="Durée en vigueur, par exemple « 365 jours ».")
    setting = serializers.CharField()


class _SelfServiceSerializer(serializers.Serializer):
    text = serializers.CharField()
    api = serializers.CharField(help_text="La route de l'API qui le fait.")


class _CnilSerializer(serializers.Serializer):
    text = serializers.CharField()
    url = serializers.URLField()


class PrivacyNoticeSerializer(serializers.Serializer):
    commune = _CommuneSerializer()
    controller = serializers.CharField()
    controller_address = serializers.CharField()
    dpo = _DpoSerializer()
    purposes = serializers.ListField(child=serializers.CharField())
    legal_basis = serializers.ListField(child=serializers.CharField())
    recipients = serializers.ListField(child=serializers.CharField())
    agencies = serializers.ListField(
        child=serializers.CharField(), help_text="Les services de police nommés."
    )
    transfers = serializers.CharField()
    retention = _RetentionSerializer(many=True)
    rights = serializers.ListField(child=serializers.CharField())
    self_service = _SelfServiceSerializer(many=True)
    request_url = serializers.CharField(help_text="Le formulaire de demande (chemin du site).")
    answer_delay = serializers.CharField()
    cnil = _CnilSerializer()
    notice_url = serializers.CharField(
        help_text="La page /confidentialite/ de la commune (adresse complète)."
    )
