"""A real Celery worker runs the reminder job and delivers the mail: once per member, even twice."""

import os
import re
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from groups.meetings import services
from groups.meetings.tasks import send_meeting_reminders
from impact.models import Notification
from tests.impact.support import broker_at, running_worker
from tests.meetings.conftest import join

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker_url():
    """A Redis database only this test run uses, flushed: not the broker other tests send to.

    That is the test cache's database (REDIS_URL; every test clears the cache anyway): a
    fixed number such as 13 may be another checkout's broker on a shared Redis, and its
    worker would take these tasks. MEETINGS_WORKER_BROKER_URL picks another one.
    """
    url = os.environ.get("MEETINGS_WORKER_BROKER_URL") or settings.REDIS_URL
    if not url.startswith("redis://") or url == settings.CELERY_BROKER_URL:
        pytest.skip("the worker test needs REDIS_URL on a Redis database apart from the broker")
    redis.Redis.from_url(url).flushdb()
    with broker_at(url):  # .delay() and the outbox's hand-off from this process go there too
        yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def worker(tmp_path, broker_url):
    """A `celery -A impact worker` on the test database and its own Redis db, mail to files."""
    with running_worker(tmp_path, broker_url) as handle:
        yield handle


def job_runs_finished(worker) -> int:
    return len(re.findall(r"send_meeting_reminders\[[^\]]+\] succeeded", worker.log()))


def test_the_reminder_task_on_a_real_worker_emails_each_member_once(
    worker, group, moderator, member
):
    people = [moderator, member, join(group, time_zone="Asia/Kolkata")]
    # The worker runs on the real clock: a meeting a day away, give or take five minutes.
    starts = timezone.now() + timedelta(days=1, minutes=-5)
    meeting = services.meeting_add(
        actor=moderator, group=group, starts_at=starts, location="Library", is_reflection=True
    )

    # Beat fires twice in a row; a third run comes later.
    send_meeting_reminders.delay()
    send_meeting_reminders.delay()
    worker.wait_until(lambda: job_runs_finished(worker) == 2, "both job runs")
    rows = Notification.objects.filter(kind="meeting.reminder")
    worker.wait_until(
        lambda: set(rows.values_list("status", flat=True)) == {Notification.Status.SENT},
        "every reminder sent",
    )
    worker.wait_until(worker.queue_drained, "the queue to drain")
    send_meeting_reminders.delay()
    worker.wait_until(lambda: job_runs_finished(worker) == 3, "the third run")
    worker.wait_until(worker.queue_drained, "the queue to drain again")

    # The worker also delivered the welcome-to-the-group mail of the set-up: count reminders.
    messages = [m for m in worker.messages() if "Subject: [Impact Groups] " + group.name in m]
    assert rows.count() == len(people)
    assert len(messages) == len(people)
    for person in people:
        (message,) = [m for m in messages if f"To: {person.email}" in m]
        assert f"/meetings/{meeting.pk}/" in message
        assert 'filename="meeting.ics"' in message
        assert "text/calendar" in message
    (kolkata_mail,) = [m for m in messages if "(Asia/Kolkata)" in m]
    assert f"To: {people[2].email}" in kolkata_mail
