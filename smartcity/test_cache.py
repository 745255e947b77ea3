"""The Redis cache for tests: production's backend, with clear() limited to this run's keys.

Tests clear the cache between steps (rate-limit counters). Django's RedisCache.clear() empties the
whole Redis database, which would also empty a concurrent run's (CI's other job, another developer's
tests); this one deletes only the keys under this run's KEY_PREFIX."""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache


class IsolatedRedisCache(RedisCache):
    def clear(self) -> None:
        client = self._cache.get_client(None, write=True)
        pattern = f"{self.key_prefix}:*" if self.key_prefix else "*"
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
