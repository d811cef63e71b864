"""Calendar files as a calendar app reads them: the single meeting, the reminder's attachment
and the personal feed, parsed with vobject (a reader independent of the icalendar library
that writes them)."""

import zoneinfo
from datetime import datetime, time, timedelta

import pytest
import vobject
from django.urls import reverse

from groups.meetings import services
from groups.meetings.ics import calendar_bytes, reminder_attachments
from groups.meetings.models import Meeting, NextAction, Session
from impact.models import Notification
from tests.meetings.conftest import CADENCE_SET_AT, MEETING_AT, at, join, reminder_rows

pytestmark = pytest.mark.django_db

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def events(content: bytes) -> dict[str, "vobject.base.Component"]:
    """The file's events by UID, as vobject reads them."""
    calendar = vobject.readOne(content.decode())
    return {event.uid.value: event for event in calendar.vevent_list}


def event_of(content: bytes, meeting: Meeting):
    return events(content)[f"meeting-{meeting.pk}@impact-groups"]


def wall_time(event) -> tuple[str, datetime]:
    """The zone DTSTART names (vobject keeps the TZID it resolved through the file's VTIMEZONE;
    a UTC time names none) and the local time it gives."""
    start = event.dtstart
    return start.params.get("X-VOBJ-ORIGINAL-TZID", ["UTC"])[0], start.value.replace(tzinfo=None)


def alarm_triggers(event) -> list[timedelta]:
    return [alarm.trigger.value for alarm in getattr(event, "valarm_list", [])]


@pytest.fixture
def last_time(meeting, group, moderator, member):
    """The session closed at the meeting a week before, with two next actions (one done)."""
    before = Meeting.objects.create(group=group, starts_at=MEETING_AT - timedelta(days=7))
    session = Session.objects.create(
        meeting=before, group=group, closed_at=before.starts_at + timedelta(hours=1)
    )
    NextAction.objects.create(
        session=session, group=group, owner=member, description="Call the parks office"
    )
    NextAction.objects.create(
        session=session,
        group=group,
        owner=moderator,
        description="Book the library room",
        done_at=before.starts_at + timedelta(days=1),
    )
    return session


def test_the_meeting_file_carries_agenda_alarm_sequence_status_and_the_groups_zone(
    meeting, last_time, member, login, clock, django_assert_max_num_queries
):
    clock(CADENCE_SET_AT)
    url = reverse("groups:meeting_ics", args=[meeting.pk])
    signed_in = login(member)

    with django_assert_max_num_queries(8):
        response = signed_in.get(url)

    event = event_of(response.content, meeting)
    assert wall_time(event) == ("Europe/Amsterdam", datetime(2025, 1, 14, 19, 0))
    assert event.dtstart.value == MEETING_AT  # the same instant, however it is written
    assert event.dtstart.value.utcoffset() == timedelta(hours=1)  # from the file's VTIMEZONE
    assert event.dtend.value == MEETING_AT + timedelta(minutes=60)
    assert event.sequence.value == "0"
    assert event.status.value == "CONFIRMED"
    assert alarm_triggers(event) == [timedelta(minutes=-1440)]  # the cadence's first reminder
    description = event.description.value
    assert "Agenda: Impact, Reflections, Stuck and help" in description
    assert "- Call the parks office (" in description
    assert "- Book the library room (" in description and "✓" in description
    assert f"/meetings/{meeting.pk}/room/" in description
    assert f"/meetings/{meeting.pk}/" in event.url.value
    # Exactly one VTIMEZONE, the one DTSTART names.
    calendar = vobject.readOne(response.content.decode())
    assert [tz.tzid.value for tz in calendar.vtimezone_list] == ["Europe/Amsterdam"]


def test_a_meeting_without_earlier_sessions_has_the_agenda_but_no_last_actions(
    meeting, member, login, clock
):
    clock(CADENCE_SET_AT)

    event = event_of(
        login(member).get(reverse("groups:meeting_ics", args=[meeting.pk])).content, meeting
    )

    assert "Agenda:" in event.description.value
    assert "Next actions from last time" not in event.description.value


def test_the_feed_follows_a_move_and_keeps_a_cancelled_meeting_as_cancelled(
    meeting, group, moderator, member, client, clock
):
    clock(CADENCE_SET_AT)
    feed = services.calendar_feed_for(member)
    url = reverse("groups:calendar_feed", args=[feed.token])
    second = Meeting.objects.get(group=group, starts_at=MEETING_AT + timedelta(days=7))

    before = event_of(client.get(url).content, meeting)
    assert (before.sequence.value, wall_time(before)[1]) == ("0", datetime(2025, 1, 14, 19, 0))

    services.meeting_move(
        actor=moderator, meeting=meeting, starts_at=MEETING_AT + timedelta(days=1, hours=1)
    )
    services.meeting_cancel(actor=moderator, meeting=second)
    services.meeting_cancel(actor=moderator, meeting=second)  # twice: one change

    after = events(client.get(url).content)
    moved = after[f"meeting-{meeting.pk}@impact-groups"]
    assert wall_time(moved) == ("Europe/Amsterdam", datetime(2025, 1, 15, 20, 0))
    assert moved.sequence.value == "1"
    assert moved.status.value == "CONFIRMED"
    cancelled = after[f"meeting-{second.pk}@impact-groups"]
    assert cancelled.status.value == "CANCELLED"
    assert cancelled.sequence.value == "1"
    assert alarm_triggers(cancelled) == []  # nothing to be reminded of
    assert cancelled.description.value.startswith("This meeting is cancelled.")


def test_moving_a_cancelled_meeting_brings_it_back_with_a_newer_sequence(meeting, moderator, clock):
    clock(CADENCE_SET_AT)
    services.meeting_cancel(actor=moderator, meeting=meeting)
    returned = services.meeting_move(
        actor=moderator, meeting=meeting, starts_at=MEETING_AT + timedelta(hours=2)
    )

    assert returned.sequence == 2
    assert Meeting.objects.get(pk=meeting.pk).sequence == 2
    event = event_of(calendar_bytes([Meeting.objects.get(pk=meeting.pk)]), meeting)
    assert (event.sequence.value, event.status.value) == ("2", "CONFIRMED")


def test_a_cadence_change_raises_the_sequence_of_the_meetings_it_changes_or_cancels(
    tuesdays, group, moderator, member, clock
):
    clock(CADENCE_SET_AT)
    answered = Meeting.objects.get(group=group, starts_at=MEETING_AT)
    services.rsvp_set(user=member, meeting=answered, rsvp="yes")
    kept = Meeting.objects.get(group=group, starts_at=MEETING_AT + timedelta(days=7))

    # The same cadence again changes nothing, and raises nothing.
    cadence = {
        "actor": moderator,
        "group": group,
        "start_time": time(19, 0),
        "time_zone": "Europe/Amsterdam",
        "location": "Library, room 2",
    }
    services.cadence_set(**cadence, weekdays=[1])
    assert Meeting.objects.get(pk=kept.pk).sequence == 0

    services.cadence_set(**cadence, weekdays=[1], duration_minutes=90)
    assert Meeting.objects.get(pk=kept.pk).sequence == 1

    services.cadence_set(**cadence, weekdays=[3], duration_minutes=90)  # Thursdays now
    answered.refresh_from_db()
    assert (answered.status, answered.sequence) == (Meeting.Status.CANCELLED, 2)
    event = event_of(calendar_bytes([answered]), answered)
    assert (event.status.value, event.sequence.value) == ("CANCELLED", "2")


def test_the_reminder_attachment_alarms_at_the_groups_first_reminder(
    tuesdays, group, moderator, clock
):
    clock(CADENCE_SET_AT)
    services.cadence_set(
        actor=moderator,
        group=group,
        weekdays=[1],
        start_time=time(19, 0),
        time_zone="Europe/Amsterdam",
        reminder_offsets="30,120",
    )
    meeting = Meeting.objects.get(group=group, starts_at=MEETING_AT)
    clock(MEETING_AT - timedelta(minutes=120))
    services.reminders_send()
    row = reminder_rows(meeting, 120).filter(recipient=moderator).get()

    ((filename, content, _mimetype),) = reminder_attachments(row)

    event = event_of(content, meeting)
    assert filename == "meeting.ics"
    assert alarm_triggers(event) == [timedelta(minutes=-120)]
    assert wall_time(event) == ("Europe/Amsterdam", datetime(2025, 1, 14, 19, 0))
    assert Notification.objects.filter(pk=row.pk).exists()


def test_a_feed_gives_each_groups_meetings_their_own_zone_and_alarm_in_few_queries(
    tuesdays, group, make_group, moderator, member, client, clock, django_assert_max_num_queries
):
    clock(CADENCE_SET_AT)
    from groups import services as group_services
    from tests.groups.support import STATEMENT

    far = make_group(name="Harbour Cleaners", moderator=moderator)
    group_services.group_join(user=member, group=far, statement=STATEMENT)
    services.cadence_set(
        actor=moderator,
        group=far,
        weekdays=[2],
        start_time=time(8, 30),
        time_zone="America/New_York",
        reminder_offsets="180",
    )
    lone = make_group(name="Seed Swappers")
    group_services.group_join(user=member, group=lone, statement=STATEMENT)
    single = Meeting.objects.create(group=lone, starts_at=at(2025, 1, 20, 12, 0))
    url = reverse("groups:calendar_feed", args=[services.calendar_feed_for(member).token])

    with django_assert_max_num_queries(8):
        content = client.get(url).content

    found = events(content)
    assert len(found) == 4 + 4 + 1
    by_zone = {}
    for event in found.values():
        by_zone.setdefault(wall_time(event)[0], set()).update(alarm_triggers(event))
    assert by_zone == {
        "Europe/Amsterdam": {timedelta(minutes=-1440)},
        "America/New_York": {timedelta(minutes=-180)},
        "UTC": {timedelta(minutes=-1440)},  # no cadence: the reminders' default
    }
    assert event_of(content, single).dtstart.value == at(2025, 1, 20, 12, 0)


def test_a_member_reads_the_calendar_in_their_language(meeting, group, clock, client):
    clock(CADENCE_SET_AT)
    reader = join(group, language="de")
    url = reverse("groups:calendar_feed", args=[services.calendar_feed_for(reader).token])

    event = event_of(client.get(url).content, meeting)

    assert "Agenda: Impact, Reflections" not in event.description.value
    assert f"/meetings/{meeting.pk}/room/" in event.description.value
