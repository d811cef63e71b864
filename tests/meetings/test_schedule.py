"""The cadence and the meetings made from it, with a frozen clock and daylight-saving changes."""

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from groups.meetings import services
from groups.meetings.models import Cadence, Meeting, MeetingResponse, Reflection
from tests.meetings.conftest import CADENCE_SET_AT, MEETING_AT, at

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
VALID = {
    "weekdays": [1],
    "start_time": time(19, 0),
    "time_zone": "Europe/Amsterdam",
    "duration_minutes": 90,
    "reminder_offsets": "1440,60",
    "prompt_hours_before": 48,
}


def future(group):
    return Meeting.objects.filter(group=group, starts_at__gt=timezone.now()).order_by("starts_at")


def set_cadence(actor, group, **changes):
    return services.cadence_set(actor=actor, group=group, **(VALID | changes))


# Validation and who may set it -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weekdays", []),
        ("weekdays", [7]),
        ("weekdays", [-1]),
        ("weekdays", "monday"),
        ("time_zone", "Mars/Olympus_Mons"),
        ("time_zone", ""),
        ("time_zone", "../../etc/passwd"),
        ("duration_minutes", 10),
        ("duration_minutes", 481),
        ("reminder_offsets", "0"),
        ("reminder_offsets", "10"),
        ("reminder_offsets", "10081"),
        ("reminder_offsets", "a day"),
        ("prompt_hours_before", 0),
        ("prompt_hours_before", 169),
    ],
)
def test_cadence_set_rejects_an_invalid_value_with_a_field_message(group, moderator, field, value):
    with pytest.raises(ValidationError) as caught:
        set_cadence(moderator, group, **{field: value})

    assert field in caught.value.message_dict
    assert not Cadence.objects.filter(group=group).exists()
    assert not Meeting.objects.filter(group=group).exists()


def test_cadence_set_normalises_weekdays_and_offsets(group, moderator, clock):
    clock(CADENCE_SET_AT)

    cadence = set_cadence(moderator, group, weekdays="3, 1,1", reminder_offsets=[60, 1440, 60])

    assert cadence.weekdays == "1,3"
    assert cadence.weekday_list == [1, 3]
    assert cadence.offsets == [1440, 60]


def test_only_moderators_and_organizers_set_the_cadence(
    group, moderator, member, organizer, outsider, clock
):
    clock(CADENCE_SET_AT)
    for person in [member, outsider]:
        with pytest.raises(PermissionDenied):
            set_cadence(person, group)
    assert not Cadence.objects.exists()

    set_cadence(organizer, group)  # the network's organizer may stand in
    set_cadence(moderator, group, duration_minutes=60)

    assert Cadence.objects.get(group=group).duration_minutes == 60


# Four weeks ahead, idempotent ---------------------------------------------------------------


def test_schedule_keeps_exactly_the_next_four_weeks_and_a_second_run_adds_nothing(
    group, moderator, clock
):
    clock(CADENCE_SET_AT)  # a Monday
    set_cadence(moderator, group, weekdays=[1, 3])  # Tuesdays and Thursdays

    starts = [m.starts_at for m in future(group)]
    assert len(starts) == 8
    assert all(CADENCE_SET_AT < s <= CADENCE_SET_AT + timedelta(weeks=4) for s in starts)
    assert services.schedule_fill() == 0

    clock(CADENCE_SET_AT + timedelta(days=9))  # Wednesday of the next week
    assert services.schedule_fill() == 3  # 4, 6 and 11 February came into the window
    assert services.schedule_fill() == 0
    assert future(group).count() == 8
    assert Meeting.objects.filter(group=group).count() == 11


def test_on_a_meeting_day_after_the_meeting_the_fourth_week_ahead_is_scheduled_too(
    group, moderator, clock
):
    clock(at(2025, 1, 14, 20, 0))  # Tuesday, an hour after the 19:00 meeting would start

    set_cadence(moderator, group)

    assert [m.starts_at.date() for m in future(group)] == [
        date(2025, 1, 21),
        date(2025, 1, 28),
        date(2025, 2, 4),
        date(2025, 2, 11),
    ]


def test_meetings_are_not_created_for_an_inactive_cadence(group, moderator, clock):
    clock(CADENCE_SET_AT)
    cadence = set_cadence(moderator, group)
    Cadence.objects.filter(pk=cadence.pk).update(active=False)

    clock(CADENCE_SET_AT + timedelta(weeks=2))

    assert services.schedule_fill() == 0


# Daylight saving ----------------------------------------------------------------------------


def test_tuesday_19_00_amsterdam_is_18_00_utc_in_winter_and_17_00_utc_in_summer(
    group, moderator, clock
):
    # Europe changes on the last Sunday of March (30 March 2025) and of October (26 October).
    clock(at(2025, 3, 17, 9, 0))
    set_cadence(moderator, group)
    clock(at(2025, 10, 13, 9, 0))
    services.schedule_fill()

    times = {m.starts_at.date(): m.starts_at for m in Meeting.objects.filter(group=group)}
    assert times[date(2025, 3, 18)] == at(2025, 3, 18, 18, 0)
    assert times[date(2025, 3, 25)] == at(2025, 3, 25, 18, 0)  # last Tuesday of winter time
    assert times[date(2025, 4, 1)] == at(2025, 4, 1, 17, 0)  # first of summer time
    assert times[date(2025, 10, 21)] == at(2025, 10, 21, 17, 0)
    assert times[date(2025, 10, 28)] == at(2025, 10, 28, 18, 0)  # winter time again
    # Every one of them is 19:00 on a Tuesday where the group meets.
    for starts in times.values():
        local = starts.astimezone(AMSTERDAM)
        assert (local.weekday(), local.hour, local.minute) == (1, 19, 0)


def test_a_wall_time_in_the_spring_forward_gap_lands_on_the_real_instant_after_it(group):
    cadence = Cadence(group=group, weekdays="6", start_time=time(2, 30), time_zone=AMSTERDAM.key)

    (change_day,) = cadence_slots_on(cadence, date(2025, 3, 30))  # 02:00 -> 03:00 that night
    (day_before,) = cadence_slots_on(cadence, date(2025, 3, 23))

    assert day_before == at(2025, 3, 23, 1, 30)  # 02:30 CET
    assert change_day == at(2025, 3, 30, 1, 30)  # 02:30 does not exist: 03:30 CEST
    assert change_day.astimezone(AMSTERDAM).strftime("%H:%M %Z") == "03:30 CEST"


def test_a_wall_time_in_the_autumn_overlap_takes_its_first_occurrence(group):
    cadence = Cadence(group=group, weekdays="6", start_time=time(2, 30), time_zone=AMSTERDAM.key)

    (slot,) = cadence_slots_on(cadence, date(2025, 10, 26))  # 02:30 happens twice that night

    assert slot == at(2025, 10, 26, 0, 30)
    assert slot.astimezone(AMSTERDAM).strftime("%H:%M %Z") == "02:30 CEST"


def cadence_slots_on(cadence, day):
    return services.cadence_slots(cadence, start=day, days=1)


# Changing the cadence ------------------------------------------------------------------------


def test_changing_the_place_keeps_the_meetings_with_their_answers(group, moderator, member, clock):
    clock(CADENCE_SET_AT)
    set_cadence(moderator, group)
    before = list(future(group).values_list("pk", flat=True))
    first = Meeting.objects.get(pk=before[0])
    services.rsvp_set(user=member, meeting=first, rsvp="yes")
    services.reflection_save(user=member, meeting=first, learned="Water first, then plant.")

    set_cadence(moderator, group, location="The old mill", duration_minutes=120)

    assert list(future(group).values_list("pk", flat=True)) == before
    assert set(future(group).values_list("location", "duration_minutes")) == {("The old mill", 120)}
    assert Reflection.objects.get(meeting=first).learned == "Water first, then plant."
    assert MeetingResponse.objects.get(meeting=first).rsvp == "yes"


def test_a_new_weekday_replaces_unanswered_meetings_and_cancels_answered_ones(
    group, moderator, member, clock
):
    clock(CADENCE_SET_AT)
    set_cadence(moderator, group)
    tuesday = Meeting.objects.get(group=group, starts_at=MEETING_AT)
    services.rsvp_set(user=member, meeting=tuesday, rsvp="yes")

    set_cadence(moderator, group, weekdays=[3])  # Thursdays from now on

    scheduled = future(group).filter(status=Meeting.Status.SCHEDULED)
    assert {m.starts_at.astimezone(AMSTERDAM).weekday() for m in scheduled} == {3}
    assert scheduled.count() == 4
    tuesday.refresh_from_db()
    assert tuesday.status == Meeting.Status.CANCELLED  # members who said yes see it cancelled
    assert future(group).count() == 5


def test_a_meeting_someone_was_reminded_of_is_cancelled_not_deleted_when_the_weekday_changes(
    group, moderator, member, clock
):
    """The reminder carried the meeting's calendar file: deleting the meeting would leave it in
    people's calendars for good; its cancelled copy in the feed takes it out."""
    clock(CADENCE_SET_AT)
    set_cadence(moderator, group)
    tuesday = Meeting.objects.get(group=group, starts_at=MEETING_AT)
    clock(MEETING_AT - timedelta(hours=23))  # the day-before reminder is due
    assert services.reminders_send() >= 1

    set_cadence(moderator, group, weekdays=[3])

    tuesday.refresh_from_db()
    assert tuesday.status == Meeting.Status.CANCELLED and tuesday.sequence == 1


# Single meetings: add, move, cancel ---------------------------------------------------------


def test_moving_a_meeting_keeps_its_slot_so_the_schedule_does_not_recreate_it(
    meeting, moderator, group, clock
):
    clock(at(2025, 1, 10, 12, 0))
    services.schedule_fill()  # the hourly job has caught up
    wednesday = MEETING_AT + timedelta(days=1)

    services.meeting_move(actor=moderator, meeting=meeting, starts_at=wednesday)
    assert services.schedule_fill() == 0

    meeting.refresh_from_db()
    assert meeting.starts_at == wednesday
    assert meeting.cadence_slot == MEETING_AT
    assert not Meeting.objects.filter(group=group, starts_at=MEETING_AT).exists()


def test_a_meeting_moved_to_after_its_slot_survives_a_cadence_change(
    meeting, moderator, group, clock
):
    clock(at(2025, 1, 10, 12, 0))
    services.meeting_move(
        actor=moderator, meeting=meeting, starts_at=MEETING_AT + timedelta(days=2)
    )
    clock(MEETING_AT + timedelta(hours=3))  # the Tuesday slot has passed, the meeting has not

    set_cadence(moderator, group, location="Town hall")

    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.SCHEDULED


def test_a_meeting_cannot_be_moved_into_the_past_or_by_a_member(meeting, moderator, member, clock):
    clock(at(2025, 1, 10, 12, 0))

    with pytest.raises(ValidationError):
        services.meeting_move(actor=moderator, meeting=meeting, starts_at=at(2025, 1, 9, 18, 0))
    with pytest.raises(PermissionDenied):
        services.meeting_move(actor=member, meeting=meeting, starts_at=at(2025, 1, 15, 18, 0))

    meeting.refresh_from_db()
    assert meeting.starts_at == MEETING_AT


def test_a_cancelled_meeting_stays_cancelled_and_is_not_recreated(meeting, moderator, member):
    with pytest.raises(PermissionDenied):
        services.meeting_cancel(actor=member, meeting=meeting)

    services.meeting_cancel(actor=moderator, meeting=meeting)
    assert services.schedule_fill() == 0

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert Meeting.objects.filter(group=meeting.group, cadence_slot=MEETING_AT).count() == 1


def test_a_moderator_adds_a_single_future_meeting(group, moderator, member, clock):
    clock(CADENCE_SET_AT)
    starts = at(2025, 1, 18, 10, 0)

    added = services.meeting_add(actor=moderator, group=group, starts_at=starts, location="Park")

    assert (added.starts_at, added.from_cadence, added.cadence_slot) == (starts, False, None)
    with pytest.raises(ValidationError):
        services.meeting_add(actor=moderator, group=group, starts_at=at(2025, 1, 1, 10, 0))
    with pytest.raises(PermissionDenied):
        services.meeting_add(actor=member, group=group, starts_at=starts)


def test_each_member_reads_the_meeting_time_in_their_own_time_zone(
    meeting, kolkata, los_angeles, client
):
    # 18:00 UTC on Tuesday 14 January 2025.
    for person, local in [(kolkata, "Tuesday 14 January, 23:30"), (los_angeles, "10:00")]:
        client.force_login(person)
        page = client.get(meeting.get_absolute_url()).content.decode()
        assert local in page
        assert f"Your time ({person.time_zone})" in page
