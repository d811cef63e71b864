"""A real Celery worker delivers the outbox: one email per row, even when a row is sent twice."""

import time
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from impact import services
from impact.models import Notification
from tests.factories import UserFactory
from tests.impact import support

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WORKER_TIMEOUT = 30
MESSAGE_SEPARATOR = "-" * 79  # Django's file backend ends every message with this line


def _test_database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def broker_url():
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        pytest.skip("the worker test needs CELERY_BROKER_URL to point at Redis")
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def worker(tmp_path, broker_url):
    """A `celery worker` process on the test database, writing its mail to files."""
    with support.running_worker(tmp_path, broker_url) as handle:
        yield handle


class WorkerHandle:
    def __init__(self, process, mail_dir: Path, log_path: Path, queue: redis.Redis):
        self.process = process
        self.mail_dir = mail_dir
        self.log_path = log_path
        self.queue = queue

    def log(self) -> str:
        return self.log_path.read_text()[-6000:]

    def messages(self) -> list[str]:
        texts = [path.read_text() for path in sorted(self.mail_dir.iterdir())]
        return [
            part.strip() for text in texts for part in text.split(MESSAGE_SEPARATOR) if part.strip()
        ]

    def wait_until(self, condition, what: str) -> None:
        deadline = time.monotonic() + WORKER_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"worker exited:\n{self.log()}"
            if condition():
                return
            time.sleep(0.2)
        queues = {key.decode(): self.queue.type(key).decode() for key in self.queue.scan_iter()}
        pytest.fail(
            f"timed out waiting for {what}; broker keys {queues}; worker log:\n{self.log()}"
        )

    def queue_drained(self) -> bool:
        # acks_late: a message stays in "unacked" until the task has finished.
        return self.queue.llen("celery") == 0 and self.queue.hlen("unacked") == 0


def statuses(ids):
    return set(Notification.objects.filter(pk__in=ids).values_list("status", flat=True))


def test_worker_sends_each_notification_once_after_commit(worker):
    people = UserFactory.create_batch(3)

    with transaction.atomic():
        ids = services.notify(
            recipients=people,
            kind="group.membership",
            key="seat:7",
            title="A seat opened for you",
            body="Welcome aboard.",
        )
        # Nothing is handed to the worker before the transaction commits.
        assert worker.queue.llen("celery") == 0

    worker.wait_until(lambda: statuses(ids) == {Notification.Status.SENT}, "all rows sent")
    worker.wait_until(worker.queue_drained, "the queue to drain")

    messages = worker.messages()
    assert len(messages) == len(people)
    for person in people:
        assert sum(f"To: {person.email}" in message for message in messages) == 1
    assert all("Subject: [Impact Groups] A seat opened for you" in m for m in messages)


def test_worker_sends_one_email_when_a_row_is_dispatched_twice(worker):
    person = UserFactory()

    with transaction.atomic():
        (email_id,) = services.notify(
            recipients=[person], kind="welcome", key="account", title="Welcome"
        )
    assert services.outbox_dispatch([email_id]) == 1  # a second hand-off, e.g. from the sweep

    worker.wait_until(lambda: statuses([email_id]) == {Notification.Status.SENT}, "row sent")
    worker.wait_until(worker.queue_drained, "both tasks to finish")

    assert len(worker.messages()) == 1
    row = Notification.objects.get(pk=email_id)
    assert row.attempts == 1
    assert "skipped" in worker.log()
