"""Reminders, prompts and the moderator digest, with a frozen clock: once each, on time, to whom."""

from datetime import date, timedelta

import icalendar
import pytest

from groups import services as group_services
from groups.meetings import services
from groups.meetings.models import Meeting, Reflection
from groups.models import Membership
from impact.models import Notification
from impact.services import build_email, email_preferences_set
from metrics import services as metric_services
from metrics.models import Action
from tests.groups.support import run_together
from tests.meetings.conftest import MEETING_AT, at, emails, join, reminder_rows

pytestmark = pytest.mark.django_db

DAY_BEFORE, HOUR_BEFORE = 1440, 60


@pytest.fixture
def cast(group, moderator, kolkata, los_angeles, tuesdays):
    """Three active members (moderator in Berlin, one in Kolkata, one in Los Angeles)."""
    return [moderator, kolkata, los_angeles]


def reminders_for(user):
    return emails("meeting.reminder", recipient=user)


# Reminders ----------------------------------------------------------------------------------


def test_a_day_before_each_active_member_gets_one_reminder_in_their_own_time(
    cast, meeting, kolkata, los_angeles, moderator, clock
):
    clock(MEETING_AT - timedelta(minutes=DAY_BEFORE))

    assert services.reminders_send() == 3

    rows = reminder_rows(meeting, DAY_BEFORE)
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(u.pk for u in cast)
    mine = {row.recipient_id: row for row in rows}
    # 18:00 UTC is 23:30 in Kolkata and 10:00 in Los Angeles, on the same Tuesday.
    assert "Tuesday 14 January, 23:30 (Asia/Kolkata)" in mine[kolkata.pk].title
    assert "Tuesday 14 January, 10:00 (America/Los_Angeles)" in mine[los_angeles.pk].title
    assert "Tuesday 14 January, 19:00 (Europe/Berlin)" in mine[moderator.pk].title
    assert "When: Tuesday 14 January, 23:30 (Asia/Kolkata)" in mine[kolkata.pk].body
    assert "Where: Library, room 2" in mine[kolkata.pk].body
    assert mine[kolkata.pk].url == meeting.get_absolute_url()
    # Email only: the in-app inbox is not filled with reminders.
    assert not Notification.objects.filter(
        kind="meeting.reminder", channel=Notification.Channel.IN_APP
    ).exists()


def test_the_reminder_email_carries_the_meeting_as_an_ics_file(cast, meeting, kolkata, clock):
    clock(MEETING_AT - timedelta(minutes=DAY_BEFORE))
    services.reminders_send()

    message = build_email(reminder_rows(meeting, DAY_BEFORE).get(recipient=kolkata))

    assert message.to == [kolkata.email]
    assert "23:30 (Asia/Kolkata)" in message.subject
    assert f"/meetings/{meeting.pk}/" in message.body
    (filename, content, mimetype) = message.attachments[0]
    assert (filename, mimetype) == ("meeting.ics", "text/calendar")
    (event,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert event.decoded("dtstart") == MEETING_AT
    assert event.decoded("dtend") == MEETING_AT + timedelta(minutes=meeting.duration_minutes)
    assert str(event["location"]) == "Library, room 2"


def test_running_again_or_later_in_the_window_sends_nothing_more(cast, meeting, clock):
    clock(MEETING_AT - timedelta(minutes=DAY_BEFORE))
    services.reminders_send()
    written = set(emails("meeting.reminder").values_list("pk", flat=True))
    assert len(written) == 3

    assert services.reminders_send() == 0
    clock(MEETING_AT - timedelta(hours=13))  # still inside the day-before window
    assert services.reminders_send() == 0

    # A rerun writes nothing new and reports nothing: rows still pending are the sweep's.
    assert set(emails("meeting.reminder").values_list("pk", flat=True)) == written


def test_an_hour_before_comes_a_second_reminder_once(cast, meeting, clock):
    clock(MEETING_AT - timedelta(minutes=DAY_BEFORE))
    services.reminders_send()

    clock(MEETING_AT - timedelta(minutes=HOUR_BEFORE))
    services.reminders_send()
    clock(MEETING_AT - timedelta(minutes=40))
    services.reminders_send()

    assert reminder_rows(meeting, HOUR_BEFORE).count() == 3
    assert emails("meeting.reminder").count() == 6


def test_after_downtime_the_day_before_reminder_still_goes_20_hours_before(cast, meeting, clock):
    clock(MEETING_AT - timedelta(hours=20))

    assert services.reminders_send() == 3
    assert reminder_rows(meeting, DAY_BEFORE).count() == 3


def test_after_downtime_the_day_before_reminder_is_stale_11_hours_before(cast, meeting, clock):
    clock(MEETING_AT - timedelta(hours=11))

    assert services.reminders_send() == 0
    assert not emails("meeting.reminder").exists()


@pytest.mark.parametrize("minutes_after", [0, 5, 90])
def test_nothing_is_sent_for_a_meeting_that_has_started(cast, meeting, clock, minutes_after):
    clock(MEETING_AT + timedelta(minutes=minutes_after))

    assert services.reminders_send() == 0
    assert not emails("meeting.reminder").exists()


def test_nothing_is_sent_for_a_cancelled_meeting(cast, meeting, moderator, clock):
    services.meeting_cancel(actor=moderator, meeting=meeting)

    for moment in [MEETING_AT - timedelta(minutes=DAY_BEFORE), MEETING_AT - timedelta(hours=1)]:
        clock(moment)
        assert services.reminders_send() == 0
    assert not emails("meeting.reminder").exists()


def test_a_member_who_left_gets_no_reminder(cast, group, meeting, kolkata, clock):
    group_services.group_leave(user=kolkata, group=group)
    clock(MEETING_AT - timedelta(minutes=DAY_BEFORE))

    assert services.reminders_send() == 2
    assert not reminders_for(kolkata).exists()


def test_a_member_who_turned_reminders_off_gets_no_email(cast, meeting, los_angeles, clock):
    everything_but_reminders = ["meeting.prompt", "meeting.summary", "group.membership"]
    email_preferences_set(user=los_angeles, enabled_kinds=everything_but_reminders)
    clock(MEETING_AT - timedelta(minutes=DAY_BEFORE))

    assert services.reminders_send() == 2
    assert not reminders_for(los_angeles).exists()
    assert reminder_rows(meeting, DAY_BEFORE).count() == 2


def test_a_moved_meeting_gets_fresh_reminders_for_its_new_time(
    cast, meeting, moderator, kolkata, clock
):
    clock(MEETING_AT - timedelta(minutes=DAY_BEFORE))
    services.reminders_send()
    new_start = MEETING_AT + timedelta(days=1)  # Wednesday instead

    services.meeting_move(actor=moderator, meeting=meeting, starts_at=new_start)
    assert services.reminders_send() == 0  # the new time is not a day away yet
    clock(new_start - timedelta(minutes=DAY_BEFORE))
    assert services.reminders_send() == 3

    meeting.refresh_from_db()
    fresh = reminder_rows(meeting, DAY_BEFORE).get(recipient=kolkata)
    assert "Wednesday 15 January, 23:30 (Asia/Kolkata)" in fresh.title
    assert emails("meeting.reminder").count() == 6


def test_a_group_can_change_its_reminder_offsets(group, moderator, kolkata, clock):
    clock(at(2025, 1, 6, 9, 0))
    services.cadence_set(
        actor=moderator,
        group=group,
        weekdays=[1],
        start_time=MEETING_AT.time(),
        time_zone="UTC",
        reminder_offsets="180",
    )
    meeting = Meeting.objects.get(group=group, starts_at=MEETING_AT)

    clock(MEETING_AT - timedelta(minutes=DAY_BEFORE))
    assert services.reminders_send() == 0
    clock(MEETING_AT - timedelta(minutes=180))
    assert services.reminders_send() == 2
    assert reminder_rows(meeting, 180).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_write_one_reminder_per_member_and_offset(cast, meeting, clock):
    clock(MEETING_AT - timedelta(minutes=DAY_BEFORE))

    results, errors = run_together(2, lambda _index: services.reminders_send())

    assert errors == []
    assert sum(results) >= 3
    rows = reminder_rows(meeting, DAY_BEFORE)
    assert rows.count() == 3
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(u.pk for u in cast)


# The weekly reflection prompt ---------------------------------------------------------------


@pytest.fixture
def trees(group, moderator):
    from metrics.models import MetricDefinition

    return metric_services.metric_define(
        actor=moderator,
        group=group,
        name="Trees planted",
        unit="trees",
        aggregation=MetricDefinition.Aggregation.SUM,
    )


def test_48_hours_before_each_member_gets_their_week_in_numbers_and_the_reflection_link(
    cast, group, meeting, kolkata, trees, clock
):
    group.__class__.objects.filter(pk=group.pk).update(created_at=at(2024, 12, 1, 9))
    group.refresh_from_db()
    clock(MEETING_AT - timedelta(hours=50))  # Sunday 12 January
    for day, minutes, planted in [(date(2025, 1, 3), 60, 3), (date(2025, 1, 11), 90, 5.5)]:
        metric_services.action_log(
            user=kolkata,
            group=group,
            description="Planted willows",
            happened_on=day,
            effort_minutes=minutes,
            impacts=[(trees.pk, planted)],
        )
    assert services.prompts_send() == 0  # not yet

    clock(MEETING_AT - timedelta(hours=48))
    assert services.prompts_send() == 3
    services.prompts_send()
    clock(MEETING_AT - timedelta(hours=2))
    services.prompts_send()

    prompt = emails("meeting.prompt").get(recipient=kolkata)
    assert prompt.url == f"/meetings/{meeting.pk}/reflection/"
    # No session yet: the 7 days before the meeting, against the 7 days before those.
    assert prompt.body.startswith(
        "In the 7 days before the meeting, from Tuesday 7 January, 23:30 (Asia/Kolkata)"
    )
    assert "You:\nActions: 1 (before: 1)\nEffort: 90 minutes (before: 60)\n" in prompt.body
    assert "Trees planted: 5.5 trees (before: 3)" in prompt.body
    assert "What did you learn?" in prompt.body
    assert "Meeting: Tuesday 14 January, 23:30 (Asia/Kolkata)" in prompt.body
    assert f"/meetings/{meeting.pk}/reflection/" in build_email(prompt).body
    assert emails("meeting.prompt").count() == 3


def test_no_prompt_for_a_meeting_that_is_not_a_reflection_or_is_cancelled(
    cast, group, meeting, moderator, clock
):
    clock(MEETING_AT - timedelta(hours=47))
    Meeting.objects.filter(pk=meeting.pk).update(is_reflection=False)
    assert services.prompts_send() == 0

    Meeting.objects.filter(pk=meeting.pk).update(is_reflection=True)
    services.meeting_cancel(actor=moderator, meeting=meeting)
    assert services.prompts_send() == 0


# The moderator digest -----------------------------------------------------------------------

DIGEST_AT = at(2025, 3, 3, 7, 0)  # a Monday, when beat runs the digest


def joined(user, group, days_ago: int) -> None:
    Membership.objects.filter(user=user, group=group).update(
        joined_at=DIGEST_AT - timedelta(days=days_ago)
    )


def acted(user, group, days_ago: int) -> None:
    Action.objects.create(
        group=group,
        user=user,
        description="Litter pick",
        happened_on=(DIGEST_AT - timedelta(days=days_ago)).date(),
        effort_minutes=30,
    )


def said_stuck(user, group, *scores: int) -> None:
    for week, score in enumerate(scores):
        past = Meeting.objects.create(
            group=group, starts_at=DIGEST_AT - timedelta(weeks=len(scores) - week)
        )
        Reflection.objects.create(meeting=past, user=user, stuck=score)


@pytest.fixture
def digest_group(group, moderator, clock):
    clock(DIGEST_AT - timedelta(days=60))
    people = {
        name: join(group, display_name=name)
        for name in ["Quinn Quiet", "Nina New", "Fresh Fred", "Ada Active", "Stu Stuck", "Una"]
    }
    clock(DIGEST_AT)
    joined(moderator, group, 60)
    for person in people.values():
        joined(person, group, 60)
    acted(moderator, group, 1)
    acted(people["Quinn Quiet"], group, 20)
    joined(people["Nina New"], group, 10)
    joined(people["Fresh Fred"], group, 3)
    acted(people["Ada Active"], group, 2)
    acted(people["Stu Stuck"], group, 3)
    said_stuck(people["Stu Stuck"], group, 2, 4)
    acted(people["Una"], group, 3)
    said_stuck(people["Una"], group, 5, 2)  # was stuck, no longer
    return people


def test_the_digest_tells_moderators_who_is_quiet_new_without_action_or_stuck(
    digest_group, group, moderator
):
    found = services.quiet_members(group, today=DIGEST_AT.date())
    assert {key: [u.display_name for u in users] for key, users in found.items()} == {
        "quiet": ["Quinn Quiet"],
        "new_without_action": ["Nina New"],
        "stuck": ["Stu Stuck"],
    }

    assert services.digest_send() == 1

    (digest,) = emails("meeting.digest")
    assert digest.recipient == moderator
    assert "No action in 14 days: Quinn Quiet" in digest.body
    assert "New, no first action after their first week: Nina New" in digest.body
    assert "Said they are stuck: Stu Stuck" in digest.body
    for name in ["Fresh Fred", "Ada Active", "Una"]:
        assert name not in digest.body


def test_the_digest_goes_once_per_iso_week(digest_group, clock):
    services.digest_send()
    clock(DIGEST_AT + timedelta(days=6, hours=16))  # Sunday night, same ISO week
    services.digest_send()
    assert emails("meeting.digest").count() == 1

    clock(DIGEST_AT + timedelta(days=7))
    services.digest_send()
    assert emails("meeting.digest").count() == 2


def test_no_digest_when_everyone_is_fine(group, moderator, member, clock):
    clock(DIGEST_AT)
    acted(moderator, group, 1)
    acted(member, group, 1)

    assert services.digest_send() == 0
    assert not emails("meeting.digest").exists()


def test_a_moderator_who_turned_the_digest_off_gets_it_in_the_app_only(
    digest_group, moderator, clock
):
    email_preferences_set(user=moderator, enabled_kinds=[])

    services.digest_send()

    assert not emails("meeting.digest").exists()
    assert Notification.objects.filter(
        kind="meeting.digest", recipient=moderator, channel=Notification.Channel.IN_APP
    ).exists()


def test_jobs_skip_a_deactivated_account(cast, meeting, kolkata, clock):
    kolkata.is_active = False
    kolkata.save(update_fields=["is_active"])
    clock(MEETING_AT - timedelta(minutes=DAY_BEFORE))

    assert services.reminders_send() == 2
    assert not reminders_for(kolkata).exists()


def test_the_digest_for_many_groups_reads_a_fixed_number_of_queries(
    digest_group, make_group, moderator, clock
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert services.digest_send() == 1
    emails("meeting.digest").delete()
    Notification.objects.filter(kind="meeting.digest").delete()
    # Three more groups whose members never acted in two months: all quiet.
    clock(DIGEST_AT - timedelta(days=60))
    for _ in range(3):
        make_group(4, moderator=moderator)
    clock(DIGEST_AT)

    with CaptureQueriesContext(connection) as four:
        assert services.digest_send() == 4

    assert len(four) <= len(one)
    assert services.digest_send() == 0  # the same ISO week: nothing new, nothing reported
