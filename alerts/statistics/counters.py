"""The counters this layer adds to the statistics itself (registered from StatisticsConfig.ready())."""

from collections.abc import Iterator
from datetime import date

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from alerts.broadcasts.models import Broadcast
from alerts.statistics.months import month_bounds

BROADCAST_KINDS = (Broadcast.Kind.SHOP_ALERT, Broadcast.Kind.BURGLARY_ALERT)
BROADCAST_LABELS = {
    "broadcasts.shop_alert": _("Alertes commerces envoyées"),
    "broadcasts.burglary_alert": _("Alertes cambriolage envoyées"),
}


def broadcasts_sent(commune_id: int, month: date) -> Iterator[tuple[int | None, str, int]]:
    """Shop alerts and burglary alerts sent in the month (real ones, not exercises, nor their updates),
    for the whole commune: one alert may cover several sectors."""
    start, end = month_bounds(month)
    rows = (
        Broadcast.objects.filter(
            commune_id=commune_id,
            kind__in=BROADCAST_KINDS,
            msg_type=Broadcast.MsgType.ALERT,
            cap_status=Broadcast.CapStatus.ACTUAL,
            sent_at__gte=start,
            sent_at__lt=end,
        )
        .values("kind")
        .annotate(n=Count("id"))
    )
    for row in rows:
        yield None, f"broadcasts.{row['kind']}", row["n"]
