"""Shapes of the console's own APIs (preferences, suggestions, search): their input, checked with French
messages, and their documentation."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from alerts.console.search import DONE, OPEN, SearchFilters
from alerts.models import Channel, Dispatch, Observation
from alerts.serializers import (
    AlertsPersonSerializer,
    ConsoleObservationSerializer,
    DispatchSerializer,
    DuplicateSerializer,
)


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
    alert_observation_ids = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Ceux qui sont validés : l'alerte cambriolage préparée depuis la série part d'eux.",
    )


class ConsoleSuggestionsSerializer(serializers.Serializer):
    duplicates = serializers.DictField(
        child=DuplicateSerializer(many=True),
        help_text="Par identifiant de signalement en attente : les signalements antérieurs qu'il répète "
        "probablement, le plus proche d'abord.",
    )
    series = SeriesSerializer(many=True)


def _day(help_text: str) -> serializers.DateField:
    return serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Date attendue au format AAAA-MM-JJ.")},
        help_text=help_text,
    )


def _statuses() -> list[tuple[str, Any]]:
    choices: dict[str, Any] = {OPEN: _("à traiter"), DONE: _("terminés")}
    for value, label in [*Observation.Status.choices, *Dispatch.Status.choices]:
        choices.setdefault(value, label)
    return list(choices.items())


class ConsoleSearchInputSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Référence (exacte ou son début, sans tenir compte de la casse) ou mot du texte : le texte "
        "caviardé pour la police, le texte d'origine pour les modérateurs.",
    )
    status = serializers.ChoiceField(
        choices=_statuses(),
        required=False,
        error_messages={"invalid_choice": _("État inconnu : « {input} ».")},
        help_text="open (à traiter), done (terminés), ou un état des éléments cherchés : celui du signalement "
        "pour les modérateurs, celui de la transmission (à défaut du signalement) pour la police.",
    )
    sector = serializers.IntegerField(required=False, min_value=1, help_text="Identifiant du secteur.")
    category = serializers.RegexField(
        r"^[-a-z0-9_]+$",
        required=False,
        max_length=40,
        error_messages={"invalid": _("Identifiant ou code (slug) de catégorie attendu.")},
        help_text="Identifiant ou code (slug) de la catégorie.",
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        error_messages={"invalid_choice": _("Canal inconnu : « {input} » (app, sms ou web).")},
        help_text="app, sms ou web.",
    )
    agency = serializers.IntegerField(
        required=False, min_value=1, help_text="Identifiant du service destinataire."
    )
    assigned = serializers.ChoiceField(
        choices=[("me", _("moi"))],
        required=False,
        error_messages={"invalid_choice": _("Seule la valeur « me » est possible.")},
        help_text="me : les transmissions qui vous sont attribuées.",
    )
    urgent = serializers.BooleanField(
        required=False, default=False, help_text="1 : urgents ou faits en cours seulement."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword: these two are added here rather than declared above.
        fields = super().get_fields()
        fields["from"] = _day("Reçus à partir de ce jour (AAAA-MM-JJ, heure de Paris), inclus.")
        fields["to"] = _day("Reçus jusqu'à ce jour (AAAA-MM-JJ, heure de Paris), inclus.")
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("from") and attrs.get("to") and attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": [_("La date de fin précède la date de début.")]})
        return attrs


def search_filters(data: dict[str, Any]) -> SearchFilters:
    """The checked query parameters as the selector takes them."""
    return SearchFilters(
        q=data.get("q", "").strip(),
        date_from=data.get("from"),
        date_to=data.get("to"),
        status=data.get("status", ""),
        sector=data.get("sector"),
        category=data.get("category", ""),
        channel=data.get("channel", ""),
        agency=data.get("agency"),
        assigned_to_me=data.get("assigned") == "me",
        urgent=bool(data.get("urgent")),
    )


class ConsoleModerationObservationSerializer(ConsoleObservationSerializer):
    """The moderation view of an observation, as the console's items carry it."""

    pending_additions = serializers.IntegerField(required=False)
    redacted_description = serializers.CharField(allow_blank=True)
    redacted_place = serializers.CharField(allow_blank=True)
    author = AlertsPersonSerializer(allow_null=True)
    claimed_by = AlertsPersonSerializer(allow_null=True)
    claim_expires_at = serializers.DateTimeField(allow_null=True)
    auto_approved = serializers.CharField(allow_blank=True)


class ConsoleSearchItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[("observation", _("signalement")), ("dispatch", _("transmission"))],
        help_text="observation (modérateurs : vue de modération) ou dispatch (police : vue police).",
    )
    observation = ConsoleModerationObservationSerializer(allow_null=True)
    dispatch = DispatchSerializer(allow_null=True)
