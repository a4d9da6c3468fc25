"""Pins of the fast paths in backend/core/fastpaths/: each private name of a library they rely on, so that
an upgrade that changes one fails here, loudly, instead of slowing down or breaking silently."""

from typing import Any

import pytest
from django.db.models import QuerySet
from django.db.models.query import prefetch_related_objects

from backend.core.fastpaths.prefetch import forget_related, prime_related
from backend.territory.models import Commune, Sector

pytestmark = pytest.mark.django_db


def test_django_keeps_prefetched_rows_where_prime_related_puts_them(commune: Commune) -> None:
    fresh: Any = Commune.objects.get(pk=commune.pk)
    prefetch_related_objects([fresh], "sectors")
    # What prefetch_related leaves behind is what prime_related writes by hand.
    assert set(fresh._prefetched_objects_cache) == {"sectors"}
    cached: Any = fresh._prefetched_objects_cache["sectors"]
    assert QuerySet in type(cached).__mro__
    assert cached._prefetch_done is True
    assert sorted(row.pk for row in cached._result_cache) == sorted(
        Sector.objects.filter(commune=commune).values_list("pk", flat=True)
    )
    assert {"_result_cache", "_prefetch_done"} <= set(vars(Sector.objects.none()))


def test_a_primed_relation_is_read_without_a_query_and_forgetting_it_reads_again(
    commune: Commune, django_assert_num_queries: Any
) -> None:
    fresh = Commune.objects.get(pk=commune.pk)
    rows = list(Sector.objects.filter(commune=commune).order_by("pk"))
    prime_related(fresh, "sectors", rows)
    with django_assert_num_queries(0):
        assert list(fresh.sectors.all()) == rows
    with django_assert_num_queries(1):  # anything but .all() still asks the database
        assert fresh.sectors.filter(pk=rows[0].pk).count() == 1
    forget_related(fresh, "sectors")
    with django_assert_num_queries(1):
        assert sorted(fresh.sectors.all(), key=lambda row: row.pk) == rows
