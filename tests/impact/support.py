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


@contextmanager
def running_worker(tmp_path, broker_url: str):
    """A real `celery -A impact worker` on the test database and the given broker, writing its
    mail to files under tmp_path; stopped when the block ends."""
    import os
    import signal
    import subprocess
    from pathlib import Path

    import redis
    from django.conf import settings

    from tests.impact.test_worker import WorkerHandle, _test_database_url

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": f"filemail://{mail_dir}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "INFO",
    }
    celery = Path(settings.BASE_DIR) / ".venv" / "bin" / "celery"
    command = [
        str(celery) if celery.exists() else "celery",
        *("-A", "impact", "worker", "--pool=solo", "--loglevel=INFO"),
        *("--without-mingle", "--without-gossip", "--without-heartbeat"),
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield WorkerHandle(process, mail_dir, log_path, redis.Redis.from_url(broker_url))
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
