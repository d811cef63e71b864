"""The Redis cache carries on without Redis: misses and no-ops, then a short pause."""

import pytest
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ResponseError

from impact.cache import ResilientRedisCache


@pytest.fixture
def cache():
    return ResilientRedisCache("redis://127.0.0.1:6379/15", {})


def test_a_refusing_redis_gives_misses_and_no_ops_then_is_left_alone(cache, monkeypatch):
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise ResponseError("MISCONF Redis is configured to save RDB snapshots, but it cannot")

    for name in ("get", "get_many", "set", "set_many", "add", "incr", "delete"):
        monkeypatch.setattr(RedisCache, name, refuse)

    assert cache.set("k", 1) is None
    # Paused: the next calls do not reach Redis at all.
    assert cache.get("k", "default") == "default"
    assert cache.get_many(["k"]) == {}
    assert cache.add("k", 1) is False
    assert cache.incr("k") == 1
    assert len(calls) == 1


def test_after_the_pause_redis_is_asked_again(cache, monkeypatch):
    monkeypatch.setattr(RedisCache, "get", lambda *a, **k: (_ for _ in ()).throw(ResponseError()))
    assert cache.get("k") is None
    monkeypatch.undo()
    cache._paused_until = 0.0  # as if PAUSE_SECONDS had passed
    cache.set("k", "back")
    assert cache.get("k") == "back"
    cache.delete("k")


def test_parts_are_kept_per_release_of_the_code_and_templates(settings, tmp_path):
    """A part the last release rendered is never served by the next (a deploy changed the
    group page's template, and its old HTML showed until the group next changed)."""
    from impact.shared import PART_PREFIX, release_digest

    settings.BASE_DIR = tmp_path
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>before</p>")
    before = release_digest()
    page.write_text("<p>after</p>")

    assert release_digest() != before
    assert release_digest() == release_digest()
    assert PART_PREFIX.startswith("shared:part:") and len(PART_PREFIX.split(":")[2]) == 12
