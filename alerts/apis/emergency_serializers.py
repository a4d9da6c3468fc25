"""Shapes of the emergency cell's API: activations, renewals, the log, the roster and the closing report
(its observations in the police view: reference, category, sector, time; never the reporter)."""

from rest_framework import serializers

from alerts.models import EmergencyActivation


class EmergencyActivationInputSerializer(serializers.Serializer):
    requested_by_quality = serializers.ChoiceField(choices=EmergencyActivation.Quality.choices)
    requested_by_name = serializers.CharField(max_length=120)
    reason = serializers.CharField(max_length=500)
    categories = serializers.ListField(child=serializers.CharField(max_length=40), min_length=1)
    sectors = serializers.ListField(
        child=serializers.CharField(max_length=120),
        required=False,
        default=list,
        help_text="Aucun : toute la commune.",
    )
    review_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Par défaut : dans EMERGENCY_REVIEW_HOURS heures.",
    )


class EmergencyRenewInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    review_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class EmergencyCloseInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class EmergencyMessageInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=1000)


class EmergencyRequesterSerializer(serializers.Serializer):
    quality = serializers.CharField()
    quality_label = serializers.CharField()
    name = serializers.CharField()


class EmergencyActivationSerializer(serializers.Serializer):
    """An activation (alerts.emergency_selectors.activation_summary)."""

    id = serializers.IntegerField()
    requested_by = EmergencyRequesterSerializer()
    reason = serializers.CharField()
    categories = serializers.ListField(child=serializers.CharField())
    sectors = serializers.ListField(child=serializers.CharField())
    opened_at = serializers.DateTimeField()
    review_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    ending = serializers.CharField()
    renewals = serializers.IntegerField()


class EmergencyTimelineItemSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    actor = serializers.CharField()
    text = serializers.CharField()


class EmergencyRenewalSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.CharField()
    reason = serializers.CharField()
    previous_review_at = serializers.DateTimeField()
    review_at = serializers.DateTimeField()


class EmergencyReportObservationSerializer(serializers.Serializer):
    reference = serializers.CharField()
    category = serializers.CharField()
    sector = serializers.CharField()
    received_at = serializers.DateTimeField()


class EmergencyReportBroadcastSerializer(serializers.Serializer):
    sent_at = serializers.DateTimeField()
    kind = serializers.CharField()
    title = serializers.CharField()


class EmergencyReportSerializer(serializers.Serializer):
    activation = EmergencyActivationSerializer()
    renewals = EmergencyRenewalSerializer(many=True)
    observations = EmergencyReportObservationSerializer(many=True)
    broadcasts = EmergencyReportBroadcastSerializer(many=True)
    timeline = EmergencyTimelineItemSerializer(many=True)


class EmergencyPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class EmergencyRosterSeatSerializer(serializers.Serializer):
    member = EmergencyPersonSerializer()
    deputy = EmergencyPersonSerializer(allow_null=True)


class EmergencyRosterSeatInputSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    deputy = serializers.IntegerField(required=False, allow_null=True, default=None)


class EmergencyRosterInputSerializer(serializers.Serializer):
    seats = EmergencyRosterSeatInputSerializer(many=True)


class EmergencyRosterSerializer(serializers.Serializer):
    seats = EmergencyRosterSeatSerializer(many=True)
