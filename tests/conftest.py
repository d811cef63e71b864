import os
import re
import socket

import pytest
from django.test.signals import setting_changed
from rest_framework.test import APIClient

from tests.factories import UserFactory

# Redis databases for pytest-xdist's workers, as (cache, broker) pairs: the first worker (or a
# run without xdist) keeps the Makefile's, the others take their own, since every test clears
# the cache and a worker's flushed broker must hold no other worker's tasks. pytest-django gives
# each worker its own test database the same way. 6, 7, 10 and 11 are left to other checkouts
# on this machine's Redis; 14 and 15 are the Makefile's defaults.
WORKER_REDIS_DBS = [(15, 14), (13, 12), (9, 8), (5, 4), (3, 2), (1, 0)]


# The slowest tests, longest first: a browser, a Schemathesis run or real servers each. Run at
# the start, so that under pytest-xdist no worker begins one of them when the others are done.
SLOW_FIRST = (
    "tests/test_api_contract_run.py",
    "tests/impact/test_production_shape.py",
    "tests/e2e/",
    "tests/groups/test_faults.py",
    "tests/meetings/test_worker.py",
    "tests/impact/test_worker.py",
    "tests/test_api_fuzz.py",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """After pytest-django's order (tests in a rolled-back transaction, then tests that commit):
    the slow ones, which all commit, go first. That is safe here, as the tables a committing
    test empties hold nothing a migration put there."""

    def rank(item) -> int:
        for position, prefix in enumerate(SLOW_FIRST):
            if item.nodeid.startswith(prefix):
                return position
        return len(SLOW_FIRST)

    items.sort(key=rank)


def _on_db(url: str, number: int) -> str:
    """The same Redis server, database `number`."""
    base, _, _db = url.partition("://")[2].partition("/")
    return f"{url.partition('://')[0]}://{base}/{number}"


def pytest_configure(config):
    _fast_password_hashing()
    _live_server_without_nagle()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(re.sub(r"\D", "", worker) or 0)
    if index == 0:
        return
    if index >= len(WORKER_REDIS_DBS):
        raise pytest.UsageError(f"at most {len(WORKER_REDIS_DBS)} xdist workers: one Redis db each")
    _use_redis_dbs(*WORKER_REDIS_DBS[index])


def _fast_password_hashing() -> None:
    """The production hasher spends ~0.25 s on each password on purpose, and nearly every test
    creates people: with it, hashing was most of the suite's time. The tests check who gets in,
    not how hard a password is to crack. Set before any hashing, so nothing caches the old list;
    the servers the tests start as subprocesses never check a password the tests made."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _live_server_without_nagle() -> None:
    """The live server (Django's, in a thread) writes a response's status line, headers and body
    in separate small sends. With Nagle's algorithm each later send waits for the client to
    acknowledge the first, and clients delay that acknowledgement by 40 ms: every request to the
    live server took 40 ms more than it needed (the contract run sends thousands)."""
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class NoDelayServer(ThreadedWSGIServer):
        def get_request(self):
            connection, address = super().get_request()
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return connection, address

    LiveServerThread.server_class = NoDelayServer


def _use_redis_dbs(cache_db: int, broker_db: int) -> None:
    """Point this process, and the workers and servers it starts, at its own Redis dbs.

    Django is set up before this conftest loads, so the settings are changed in place and the
    cache handler is told (as override_settings would); subprocesses read the environment."""
    from django.conf import settings
    from django.test.signals import setting_changed

    from impact.celery import app

    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        url = os.environ.get(name) or getattr(settings, name, "")
        if not url.startswith("redis://"):
            continue
        os.environ[name] = _on_db(url, cache_db if name == "REDIS_URL" else broker_db)
        setattr(settings, name, os.environ[name])
    if settings.REDIS_URL.startswith("redis://"):
        caches = {**settings.CACHES, "default": {**settings.CACHES["default"]}}
        caches["default"]["LOCATION"] = settings.REDIS_URL
        settings.CACHES = caches
        setting_changed.send(sender=None, setting="CACHES", value=caches, enter=True)
        # The live room's layer too: group names hold ids that every worker's database reuses.
        layers = {"default": {**settings.CHANNEL_LAYERS["default"]}}
        hosts = [
            {**host, "address": settings.REDIS_URL} for host in layers["default"]["CONFIG"]["hosts"]
        ]
        # Pub/sub ignores the database number: each worker gets its own prefix too.
        layers["default"]["CONFIG"] = {"hosts": hosts, "prefix": f"test{cache_db}"}
        settings.CHANNEL_LAYERS = layers
        setting_changed.send(sender=None, setting="CHANNEL_LAYERS", value=layers, enter=True)
    if app.configured:
        app.conf.broker_url = settings.CELERY_BROKER_URL


@pytest.fixture(autouse=True)
def _isolated_cache():
    """allauth's rate limits live in the cache: start every test with a clean slate. The
    layout's fragments too (a test may change a setting they show: languages, DEBUG)."""
    from django.core.cache import cache, caches

    cache.clear()
    caches["fragments"].clear()
    yield
    cache.clear()


def _forget_fragments(**kwargs) -> None:
    """A setting changed inside a test: the layout's kept fragments may show the old one."""
    from django.conf import settings
    from django.core.cache import caches

    if "fragments" in settings.CACHES:
        caches["fragments"].clear()


setting_changed.connect(_forget_fragments)


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user_api(api_client, user):
    api_client.force_authenticate(user)
    return api_client


@pytest.fixture
def signed_in(client):
    """signed_in(user) -> the test client, signed in as that person."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
