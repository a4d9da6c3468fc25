from typing import Any

import pytest

from alerts.broadcasts import demo
from alerts.broadcasts.models import Broadcast, BroadcastPolicy
from tests.alerts.broadcasts.conftest import referent

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent(commune3: Any, moderator: Any) -> None:
    referent(commune3, "nord")
    said: list[str] = []
    demo.seed(commune3, said.append)
    demo.seed(commune3, said.append)
    assert Broadcast.objects.filter(commune=commune3, title=demo.ADVICE_TITLE).count() == 1
    assert BroadcastPolicy.objects.filter(commune=commune3).count() == 1
    assert said == ["broadcasts: prevention advice sent to 1 people"]
