import pytest

from tests.impact import support


@pytest.fixture
def broker_down():
    """Celery's broker does not answer (Redis is down or unreachable) for this test."""
    with support.broker_at(support.UNREACHABLE_BROKER):
        yield


@pytest.fixture
def celery_eager():
    with support.celery_eager():
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The real hasher is slow on purpose; these tests check who gets in, not how hard it is.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
