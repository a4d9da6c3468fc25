"""The demo data of every app, in layer order (kernel first)."""

from collections.abc import Callable

from django.db import transaction

from alerts import demo as alerts_demo
from alerts.broadcasts import demo as broadcasts_demo
from alerts.statistics import demo as statistics_demo
from alerts.video import demo as video_demo
from alerts.watch_cell import demo as watch_cell_demo
from backend.accounts import demo as accounts_demo
from backend.territory import demo as territory_demo
from commerces import demo as commerces_demo
from neighbours import demo as neighbours_demo
from neighbours.holiday_watch import demo as holiday_watch_demo


def seed_all(say: Callable[[str], None]) -> None:
    with transaction.atomic():
        commune = territory_demo.seed(say)
        accounts_demo.seed(commune, say)
        commerces_demo.seed(commune, say)
        statistics_demo.seed(commune, say)
        neighbours_demo.seed(commune, say)
        alerts_demo.seed(commune, say)
        video_demo.seed(commune, say)
        holiday_watch_demo.seed(commune, say)  # after alerts: its police municipale walks past
        broadcasts_demo.seed(commune, say)
        watch_cell_demo.seed(commune, say)
