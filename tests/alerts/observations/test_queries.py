"""List endpoints run a bounded number of queries, however many rows (no N+1)."""

from typing import Any

import pytest

from alerts import services
from alerts.models import Dispatch
from tests.alerts import factories as f
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db


def _fill(commune: Any, count: int) -> dict[str, Any]:
    author = f.referent(commune)
    moderator = f.moderator(commune)
    officer = f.operator(commune)
    pm = f.agency(commune=commune, members=(officer,))
    f.routing(commune, pm)
    for index in range(count):
        observation = f.observation(author, photos=[f.upload()] if index % 2 else [])
        services.observation_add_text(
            observation=observation, author=author, text="Complément.", channel="app"
        )
        if index % 3 == 0:
            services.observation_approve(observation=observation, actor=moderator)
    for dispatch in Dispatch.objects.all()[:2]:
        services.dispatch_add_note(dispatch=dispatch, actor=officer, text="Vu.")
    return {"author": author, "moderator": moderator, "officer": officer}


@pytest.mark.parametrize("count", [3, 12])
def test_list_endpoints_query_counts(commune: Any, count: int, django_assert_max_num_queries: Any) -> None:
    people = _fill(commune, count)
    cases = [
        (people["author"], "/api/v1/observations/", 8),
        (people["moderator"], "/api/v1/moderation/queue/", 8),
        (people["officer"], "/api/v1/dispatches/", 10),
        (people["author"], "/api/v1/categories/", 4),
    ]
    for user, url, limit in cases:
        client = api_client_for(user)
        with django_assert_max_num_queries(limit):
            response = client.get(url)
        assert response.status_code == 200
        assert response.json()["count"] >= 1
