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
