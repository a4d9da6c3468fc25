"""Priming a reverse relation's prefetch cache with rows already in hand (Django internals).

The intake knows an observation's photos and history as it writes them; priming them spares the queries
that rendering the answer would make (tests/alerts/observations/test_queries.py counts them). It writes Django's private
`QuerySet._result_cache`, `QuerySet._prefetch_done` and `Model._prefetched_objects_cache`, as
`prefetch_related` does.
"""

from typing import Any


def prime_related(instance: Any, name: str, rows: list[Any]) -> None:
    """Fills a reverse relation's prefetch cache with rows known to be all of it (as prefetch_related
    does), so `instance.<name>.all()` costs no query; `.filter()` and friends still query."""
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


def forget_related(instance: Any, *names: str) -> None:
    cache = getattr(instance, "_prefetched_objects_cache", {})
    for name in names:
        cache.pop(name, None)
