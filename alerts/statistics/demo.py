"""Demo data of the statistics: the demo's months computed (what the nightly job would do). Idempotent."""

from collections.abc import Callable

from django.utils import timezone

from alerts.statistics.models import StatisticsMonth
from alerts.statistics.months import month_add, month_of
from alerts.statistics.services import statistics_refresh
from backend.territory.models import Commune


def seed(commune: Commune, say: Callable[[str], None]) -> None:
    current = month_of(timezone.now())
    computed = set(StatisticsMonth.objects.filter(commune=commune).values_list("month", flat=True))
    months = [month_add(current, -back) for back in range(12)]
    done = statistics_refresh(commune=commune, months=[month for month in months if month not in computed])
    say(f"Statistiques : {len(done)} mois calculés (/statistiques/, compte du coordinateur CLSPD)")
