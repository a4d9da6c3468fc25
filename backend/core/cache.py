"""Django's Redis cache with one connection pool per process.

Django keeps a cache object per thread, and each makes its own redis-py client and pool. Under daphne,
Django runs every request's sync code in a thread of its own (asgiref's ThreadSensitiveContext), so the
stock backend opened a new Redis connection for each request (throttles read the cache on every API
call). Here every cache object of one configuration shares one client, whose pool is thread-safe.
"""

import threading
from functools import cached_property
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_clients: dict[str, RedisCacheClient] = {}
_clients_lock = threading.Lock()


class SharedPoolRedisCache(RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._shared_key = repr((server, sorted(params.get("OPTIONS", {}).items())))

    @cached_property
    def _cache(self) -> RedisCacheClient:
        with _clients_lock:
            client = _clients.get(self._shared_key)
            if client is None:
                client = _clients[self._shared_key] = super()._cache
        return client
