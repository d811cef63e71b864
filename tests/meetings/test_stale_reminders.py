"""A reminder already queued is not sent once it has gone stale."""

from datetime import timedelta

import pytest
from django.core import mail

from groups.meetings import services
from impact.services import notification_deliver
from tests.meetings.conftest import MEETING_AT, reminder_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued_day_before(clock, meeting, member):
    """The day-before reminders are written and waiting for the worker."""
    clock(MEETING_AT - timedelta(hours=23))
    services.reminders_send()
    rows = list(reminder_rows(meeting, 1440))
    assert rows
    mail.outbox.clear()
    return rows


def test_a_queued_reminder_for_a_moved_meeting_is_cancelled_not_sent(
    queued_day_before, meeting, moderator
):
    services.meeting_move(
        actor=moderator, meeting=meeting, starts_at=MEETING_AT + timedelta(days=1)
    )

    outcomes = {notification_deliver(notification_id=row.pk) for row in queued_day_before}

    assert outcomes == {"cancelled"}
    assert mail.outbox == []


def test_a_queued_reminder_for_a_cancelled_meeting_is_cancelled(
    queued_day_before, meeting, moderator
):
    services.meeting_cancel(actor=moderator, meeting=meeting)

    assert {notification_deliver(notification_id=row.pk) for row in queued_day_before} == {
        "cancelled"
    }


def test_a_queued_reminder_for_an_unchanged_meeting_goes_out(queued_day_before):
    assert {notification_deliver(notification_id=row.pk) for row in queued_day_before} == {"sent"}
    assert len(mail.outbox) == len(queued_day_before)
