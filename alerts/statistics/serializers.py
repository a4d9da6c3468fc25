"""The statistics' query (API and page share it) and the figures' documented shape."""

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alerts.models import Channel
from alerts.statistics.months import month_add, month_of
from alerts.statistics.selectors import GROUPS

# A query covers ten years at most (the page and the exports stay quick).
MAX_MONTHS = 120


@extend_schema_field(OpenApiTypes.STR)
class MonthField(serializers.Field):
    """A month written YYYY-MM, read as its first day."""

    default_error_messages = {"invalid": _("Un mois s'écrit AAAA-MM (par exemple 2026-01).")}

    def to_internal_value(self, data: Any) -> date:
        try:
            year, month = str(data).split("-")
            return date(int(year), int(month), 1)
        except ValueError:
            self.fail("invalid")
        raise AssertionError  # pragma: no cover - fail() raises

    def to_representation(self, value: date) -> str:
        return f"{value:%Y-%m}"


class CommaListField(serializers.ListField):
    """Values given repeated (`?sector=1&sector=2`, the page's form) or comma-separated (`?sector=1,2`)."""

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, str):
            data = [data]
        parts = [part.strip() for item in data for part in str(item).split(",") if part.strip()]
        return list(super().to_internal_value(parts))


class StatisticsQuerySerializer(serializers.Serializer):
    # `from` is a Python keyword: declared below.
    to = MonthField(help_text="Dernier mois compris, AAAA-MM.")
    group_by = CommaListField(
        child=serializers.ChoiceField(choices=GROUPS),
        required=False,
        default=list,
        help_text="Regroupements, séparés par des virgules : month, sector, category, channel, outcome.",
    )
    sector = CommaListField(
        child=serializers.IntegerField(min_value=0),
        required=False,
        default=list,
        help_text="Secteurs (ids) ; 0 : hors secteur.",
    )
    category = CommaListField(
        child=serializers.SlugField(), required=False, default=list, help_text="Catégories (identifiants)."
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first, last = attrs["from"], attrs["to"]
        if last < first:
            raise serializers.ValidationError({"to": [_("La fin de la période précède son début.")]})
        if month_add(first, MAX_MONTHS) <= last:
            raise serializers.ValidationError(
                {"to": [_("La période couvre %(count)d mois au plus.") % {"count": MAX_MONTHS}]}
            )
        return attrs


StatisticsQuerySerializer._declared_fields["from"] = MonthField(help_text="Premier mois compris, AAAA-MM.")


def default_period(today: date) -> dict[str, str]:
    """The last twelve months, this one included."""
    current = month_of(today)
    return {"from": f"{month_add(current, -11):%Y-%m}", "to": f"{current:%Y-%m}"}


class FigureSerializer(serializers.Serializer):
    """One group: only the keys of the groups asked for are present."""

    month = serializers.CharField(required=False, help_text="AAAA-MM.")
    sector = serializers.IntegerField(required=False, allow_null=True, help_text="null : hors secteur.")
    sector_name = serializers.CharField(required=False)
    category = serializers.CharField(required=False)
    category_label = serializers.CharField(required=False)
    channel = serializers.CharField(required=False)
    outcome = serializers.CharField(required=False)
    outcome_label = serializers.CharField(required=False)
    count = serializers.IntegerField()
    median_moderation_s = serializers.IntegerField(
        allow_null=True, help_text="Médiane de la réception à la décision de modération (secondes)."
    )
    median_acknowledgement_s = serializers.IntegerField(
        allow_null=True, help_text="Médiane de la transmission à la première prise en compte (secondes)."
    )
    median_close_s = serializers.IntegerField(
        allow_null=True, help_text="Médiane de la réception à la fin (clôture, refus, fusion), en secondes."
    )


class CounterSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.IntegerField()


class StatisticsSerializer(serializers.Serializer):
    to = serializers.CharField()
    group_by = serializers.ListField(child=serializers.CharField())
    figures = FigureSerializer(many=True)
    counters = CounterSerializer(many=True)


StatisticsSerializer._declared_fields["from"] = serializers.CharField()
