"""Django's Redis cache, made to degrade instead of fail while Redis is unavailable.

Everything the app keeps in the cache can be done without for a while: sessions are also in
the database (`cached_db`), shared parts of pages are rendered again, rate-limit counts start over and
the broker check says "unavailable". So while Redis is unreachable or refuses writes (a full
disk, `maxmemory`, a read-only replica), reads are misses and writes are no-ops, logged at most
once a minute per process, rather than a 500 on every page. After a failure the process leaves
Redis alone for `PAUSE_SECONDS`, so a server that drops packets costs one short timeout (see
the socket timeouts in settings) rather than one per cache call.

When Redis comes back it is empty (it keeps nothing on disk) or holds what it had; shared parts
kept before the outage can then be served for up to `SHARED_PARTS_SECONDS`, since version bumps
made during the outage were lost.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 5.0
_last_warning = 0.0


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one `redis.Redis` per connection pool.

    Django builds a new `redis.Redis` for every cache call, and each one fills a table of some
    340 response callbacks: about a tenth of a millisecond of Python per call, several times a
    request. A `redis.Redis` holds no connection of its own (the pool does), so one per pool
    serves every call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    _paused_until = 0.0  # per cache object: each server, and each thread, pauses on its own

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def _guarded(self, operation: str, fallback, call):
        """call(), or `fallback` while Redis is failing (and for a few seconds after it failed)."""
        global _last_warning
        now = time.monotonic()
        if now < self._paused_until:
            return fallback
        try:
            return call()
        except (RedisError, OSError) as error:
            self._paused_until = now + PAUSE_SECONDS
            if now - _last_warning > 60:
                _last_warning = now
                logger.warning(
                    "cache unavailable (%s): %s; carrying on without it", operation, error
                )
            return fallback

    def get(self, key, default=None, version=None):
        return self._guarded(
            "get", default, lambda: super(ResilientRedisCache, self).get(key, default, version)
        )

    def get_many(self, keys, version=None):
        return self._guarded(
            "get_many", {}, lambda: super(ResilientRedisCache, self).get_many(keys, version)
        )

    def has_key(self, key, version=None):
        return self._guarded(
            "has_key", False, lambda: super(ResilientRedisCache, self).has_key(key, version)
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            "add", False, lambda: super(ResilientRedisCache, self).add(key, value, timeout, version)
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            "set", None, lambda: super(ResilientRedisCache, self).set(key, value, timeout, version)
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            "set_many",
            list(data),
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            "touch", False, lambda: super(ResilientRedisCache, self).touch(key, timeout, version)
        )

    def delete(self, key, version=None):
        return self._guarded(
            "delete", False, lambda: super(ResilientRedisCache, self).delete(key, version)
        )

    def delete_many(self, keys, version=None):
        return self._guarded(
            "delete_many", None, lambda: super(ResilientRedisCache, self).delete_many(keys, version)
        )

    def incr(self, key, delta=1, version=None):
        # While Redis is away counting starts over, so a rate limit lets the request through.
        # A missing key is still the caller's ValueError.
        return self._guarded(
            "incr", delta, lambda: super(ResilientRedisCache, self).incr(key, delta, version)
        )

    def clear(self):
        return self._guarded("clear", False, lambda: super(ResilientRedisCache, self).clear())
