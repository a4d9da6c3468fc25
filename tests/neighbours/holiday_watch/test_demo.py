from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from backend.accounts.models import User
from neighbours.holiday_watch.models import PatrolPass, WatchRequest
from neighbours.holiday_watch.selectors import daily_list

pytestmark = pytest.mark.django_db


def test_demo_seed_gives_homes_watched_today_on_the_police_municipales_list_and_is_idempotent(
    db: Any,
) -> None:
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    assert WatchRequest.objects.count() == 3
    assert PatrolPass.objects.count() == 2
    officer = User.objects.get(phone="+33612000011")  # Olivier Opérateur (PM)
    commune = WatchRequest.objects.first().commune  # type: ignore[union-attr]
    today = daily_list(user=officer, commune_id=commune.pk, day=timezone.localdate())
    assert sorted(sector.slug for sector, _rows in today if sector) == ["la-gavotte", "les-amandiers"]
