"""Shapes of the console's own APIs (preferences, suggestions): their input and their documentation."""

from rest_framework import serializers

from alerts.serializers import DuplicateSerializer


class ConsolePreferenceSerializer(serializers.Serializer):
    sound = serializers.BooleanField(help_text="Son à l'arrivée d'un élément urgent (activé par défaut).")
    notifications = serializers.BooleanField(help_text="Notifications de bureau (désactivées par défaut).")


class ConsolePreferenceInputSerializer(serializers.Serializer):
    sound = serializers.BooleanField(required=False)
    notifications = serializers.BooleanField(required=False)


class SeriesSectorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SeriesObservationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()


class SeriesSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    hours = serializers.IntegerField(help_text="Durée de la série, du premier au dernier fait (heures).")
    first_at = serializers.DateTimeField()
    last_at = serializers.DateTimeField()
    sectors = SeriesSectorSerializer(many=True)
    observations = SeriesObservationSerializer(many=True)


class ConsoleSuggestionsSerializer(serializers.Serializer):
    duplicates = serializers.DictField(
        child=DuplicateSerializer(many=True),
        help_text="Par identifiant de signalement en attente : les signalements antérieurs qu'il répète "
        "probablement, le plus proche d'abord.",
    )
    series = SeriesSerializer(many=True)
