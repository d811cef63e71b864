"""Helpers the impact tests share: driving the outbox and pointing Celery at a dead broker."""

import re
from contextlib import contextmanager

from impact import services
from impact.celery import app as celery_app
from impact.models import Notification

# Nothing listens on port 1: connecting is refused at once, like a broker that is down.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"
_BROKER_KEYS = ("broker_url", "broker_write_url", "broker_read_url")


def _forget_broker_pools() -> None:
    # Celery builds its connection and producer pools from the URL it first saw and keeps them.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    """Point the Celery app at another broker for the duration of the block."""
    saved = {key: celery_app.conf[key] for key in _BROKER_KEYS}
    celery_app.conf.update(dict.fromkeys(_BROKER_KEYS, url))
    _forget_broker_pools()
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        _forget_broker_pools()


@contextmanager
def celery_eager():
    """Run tasks in this process as they are sent, as CELERY_TASK_ALWAYS_EAGER would."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


def pending_email_ids() -> list[int]:
    return list(
        Notification.objects.filter(
            channel=Notification.Channel.EMAIL, status=Notification.Status.PENDING
        )
        .order_by("id")
        .values_list("id", flat=True)
    )


def deliver_pending_emails() -> list[str]:
    """What a worker does with every pending email row: returns each row's outcome."""
    return [services.notification_deliver(notification_id=pk) for pk in pending_email_ids()]


def first_url(text: str) -> str:
    match = re.search(r"https?://\S+", text)
    assert match, f"no link in {text!r}"
    return match.group(0)
