"""Pins of the fast paths in backend/core/fastpaths/: each private name of a library they rely on, so that
an upgrade that changes one fails here, loudly, instead of slowing down or breaking silently."""

import asyncio
import os
import threading
from typing import Any

import pytest
from asgiref.sync import SyncToAsync, sync_to_async
from django.db.models import QuerySet
from django.db.models.query import prefetch_related_objects

from backend.core.fastpaths.prefetch import forget_related, prime_related
from backend.core.fastpaths.server_loop import server_loop, server_loop_stopped
from backend.territory.models import Commune, Sector


@pytest.mark.django_db
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


@pytest.mark.django_db
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


async def test_asgiref_records_the_loop_of_a_sync_view_where_server_loop_reads_it() -> None:
    loop = asyncio.get_running_loop()

    def in_the_view_thread() -> tuple[Any, Any, Any]:
        recorded = SyncToAsync.threadlocal
        return recorded.main_event_loop, recorded.main_event_loop_pid, server_loop()

    assert await sync_to_async(in_the_view_thread)() == (loop, os.getpid(), loop)
    assert server_loop() is None  # in the loop's own thread: not a sync view
    assert server_loop_stopped() is False


def test_without_a_server_loop_there_is_none_and_none_stopped() -> None:
    assert threading.current_thread() is threading.main_thread()
    assert server_loop() is None
    assert server_loop_stopped() is False
