"""What a broadcast request may hold: one set of input serializers for the REST API and the console."""

from rest_framework import serializers

from alerts.broadcasts import services
from alerts.broadcasts.models import Broadcast


class BroadcastInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Broadcast.Kind.choices)
    title = serializers.CharField(max_length=services.MAX_TITLE, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=services.MAX_BODY, required=False, allow_blank=True, default="")
    sectors = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    include_adjacent = serializers.BooleanField(required=False, default=False)
    audiences = serializers.ListField(child=serializers.CharField(max_length=40), allow_empty=False)
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=services.CHANNELS), allow_empty=False
    )
    trades = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)
    send_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    observation = serializers.IntegerField(required=False, allow_null=True, default=None)
    status = serializers.CharField(
        max_length=10, required=False, default="actual", help_text="actual (réelle) ou exercise (exercice)."
    )


class BroadcastUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=services.MAX_TITLE, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=services.MAX_BODY, required=False, allow_blank=True, default="")
    send_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class BroadcastCancelInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.MAX_BODY, required=False, allow_blank=True, default="")
