"""Redis for real: the channel layer through channels_redis, and /healthz on it.

These tests never skip. tests/live.py's `redis_url` is REDIS_URL when it is set (CI: .ci/run), otherwise a
throwaway `redis-server` on a free port; with VIGIE_REQUIRE_SERVICES=1 a missing or silent Redis fails the
run (tests/plugins/services.py checks it once per session). Marked `services`: the SQLite leg of `make test`
leaves them to the PostgreSQL + Redis leg.
"""

import os
import subprocess
import sys
import threading
import uuid

import pytest
from channels_redis.pubsub import RedisPubSubChannelLayer

from tests.live import ROOT, free_port


def _layer(url: str, prefix: str = "") -> RedisPubSubChannelLayer:
    # A prefix of its own: several test runs may share one Redis database.
    return RedisPubSubChannelLayer(hosts=[url], prefix=prefix or f"vigie-test-{uuid.uuid4().hex[:8]}")


@pytest.mark.services
async def test_channel_layer_round_trip_through_redis(redis_url):
    layer = _layer(redis_url)
    try:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "test.message", "text": "bonjour"})
        assert await layer.receive(channel) == {"type": "test.message", "text": "bonjour"}
    finally:
        await layer.flush()


@pytest.mark.services
async def test_two_servers_share_groups_through_redis(redis_url):
    """Two daphne processes behind a proxy: a group_send on one reaches a socket held by the other."""
    prefix = f"vigie-test-{uuid.uuid4().hex[:8]}"
    first, second = _layer(redis_url, prefix), _layer(redis_url, prefix)
    try:
        channel = await first.new_channel()
        await first.group_add("agency-1", channel)
        await second.group_send("agency-1", {"type": "alert.created", "id": 7})
        assert await first.receive(channel) == {"type": "alert.created", "id": 7}
        await first.group_discard("agency-1", channel)
    finally:
        await first.flush()
        await second.flush()


@pytest.mark.django_db
@pytest.mark.services
def test_healthz_is_200_on_redis(client, settings, redis_url):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_url]},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "channel_layer": "ok"}


@pytest.mark.services
def test_settings_use_redis_when_redis_url_is_set(redis_url):
    """The settings contract: REDIS_URL switches the channel layer and the cache to Redis."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CHANNEL_LAYERS['default']['BACKEND']); print(s.CACHES['default']['BACKEND']); "
        "from django.core.cache import cache; cache.set('vigie-settings-test', 'oui', 5); "
        "print(cache.get('vigie-settings-test'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "REDIS_URL": redis_url,
            "DEBUG": "1",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "channels_redis.pubsub.RedisPubSubChannelLayer",
        "backend.core.cache.SharedPoolRedisCache",
        "oui",
    ]


def test_required_services_fail_the_run_instead_of_skipping(tmp_path):
    """VIGIE_REQUIRE_SERVICES=1 without PostgreSQL and with a silent Redis: pytest fails, nothing skips."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {"VIGIE_REQUIRE_SERVICES": "1", "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "DEBUG": "1"}
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/backend/core/test_healthz.py::test_livez_needs_nothing",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "VIGIE_REQUIRE_SERVICES=1: DATABASE_URL must point at PostgreSQL" in output
    assert "does not answer" in output
    assert "skipped" not in output
    assert "1 error" in output


@pytest.mark.services
def test_the_redis_cache_shares_one_pool_across_threads(redis_url):
    """Django keeps a cache object per thread, and daphne runs each request in a thread of its own: without
    a shared client, every request opened a Redis connection."""
    from backend.core.cache import SharedPoolRedisCache

    params = {"KEY_PREFIX": f"vigie-test-{uuid.uuid4().hex[:8]}"}
    clients = []

    def one_request() -> None:
        cache = SharedPoolRedisCache(redis_url, params)
        cache.set("throttle", 3, 5)
        assert cache.get("throttle") == 3
        clients.append(cache._cache)

    threads = [threading.Thread(target=one_request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(clients) == 4
    assert len({id(client) for client in clients}) == 1
