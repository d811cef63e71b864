"""A group's meeting cadence and its meetings: scheduling, moving, cancelling, who comes and who came."""

import zoneinfo
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.meetings.models import (
    MEETING_MINUTES_MAX,
    MEETING_MINUTES_MIN,
    Cadence,
    CalendarFeed,
    Meeting,
    MeetingResponse,
    new_feed_token,
)
from groups.models import Group, Membership
from groups.permissions import Need, require
from impact.models import Notification, User

SCHEDULE_WEEKS = 4


# Beat runs the reminder job every 5 minutes and a reminder is useful for half its offset:
# below 15 minutes that window could fall between two runs and the reminder never go out.
MIN_REMINDER_OFFSET = 15


def active_members(group: Group) -> list[User]:
    return [m.user for m in Membership.objects.active().filter(group=group).select_related("user")]


def _parse_list(
    raw: str | Sequence[int | str], field: str, *, low: int, high: int, message: str
) -> str:
    values = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    try:
        numbers = sorted({int(str(v).strip()) for v in values if str(v).strip()})
    except ValueError as exc:
        raise ValidationError({field: message}) from exc
    if not numbers or any(not low <= n <= high for n in numbers):
        raise ValidationError({field: message})
    return ",".join(str(n) for n in numbers)


@transaction.atomic
def cadence_set(
    *,
    actor: User,
    group: Group,
    weekdays: Sequence[int | str],
    start_time: time,
    time_zone: str,
    duration_minutes: int = 60,
    location: str = "",
    reminder_offsets: str | Sequence[int | str] = "1440,60",
    prompt_hours_before: int = 48,
    now: datetime | None = None,
) -> Cadence:
    """Set when the group meets; the next four weeks of meetings are created from it."""
    require(actor, group, Need.MODERATE)
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError({"time_zone": _("Choose a time zone from the list.")}) from exc
    _check_duration(duration_minutes)
    # 0 hours before would be "at the start", and the prompt job never sends once it started.
    if not 1 <= int(prompt_hours_before) <= 168:
        raise ValidationError(
            {"prompt_hours_before": _("Send the prompt 1 hour to a week before.")}
        )
    values = {
        "weekdays": _parse_list(
            weekdays, "weekdays", low=0, high=6, message=_("Choose at least one weekday.")
        ),
        "start_time": start_time,
        "time_zone": time_zone,
        "duration_minutes": int(duration_minutes),
        "location": location.strip(),
        "reminder_offsets": _parse_list(
            reminder_offsets,
            "reminder_offsets",
            low=MIN_REMINDER_OFFSET,
            high=10080,
            message=_("Give minutes before the meeting, between 15 and 10080, comma separated."),
        ),
        "prompt_hours_before": int(prompt_hours_before),
        "active": True,
    }
    cadence, _created = Cadence.objects.update_or_create(group=group, defaults=values)
    now = now or timezone.now()
    # A meeting whose slot the new cadence still has stays as it is (same id, so its RSVPs,
    # reflections and sent reminders stay with it); only its place and length follow.
    wanted = _window_slots(cadence, now=now)
    future = Meeting.objects.filter(
        group=group, from_cadence=True, starts_at__gt=now, session__isnull=True
    )
    # Only meetings that change raise their SEQUENCE (calendar apps then take the new copy).
    future.filter(cadence_slot__in=wanted).exclude(
        duration_minutes=cadence.duration_minutes, location=cadence.location
    ).update(
        duration_minutes=cadence.duration_minutes,
        location=cadence.location,
        sequence=F("sequence") + 1,
    )
    # A moved meeting whose slot has passed is the moderator's, not the cadence's.
    stale = list(
        future.filter(cadence_slot__gt=now)
        .exclude(cadence_slot__in=wanted)
        .values_list("pk", flat=True)
    )
    answered = set(
        Meeting.objects.filter(pk__in=stale)
        .filter(Q(reflections__isnull=False) | Q(responses__isnull=False))
        .values_list("pk", flat=True)
    )
    # A meeting someone was reminded of is in their calendar (the reminder carried its .ics):
    # only a cancelled copy takes it out again, so it is cancelled too, not deleted.
    answered |= set(
        Notification.objects.filter(
            kind="meeting.reminder",
            subject_type=ContentType.objects.get_for_model(Meeting),
            subject_id__in=stale,
        )
        .exclude(status=Notification.Status.CANCELLED)
        .values_list("subject_id", flat=True)
    )
    # Members who answered, said they come or were reminded see the meeting cancelled rather
    # than vanish.
    Meeting.objects.filter(pk__in=answered).update(
        status=Meeting.Status.CANCELLED,
        cadence_slot=None,
        from_cadence=False,
        sequence=F("sequence") + 1,
    )
    Meeting.objects.filter(pk__in=set(stale) - answered).delete()
    schedule_fill(group=group, now=now)
    return cadence


def cadence_slots(cadence: Cadence, *, start: date, days: int) -> list[datetime]:
    """Meeting start times (UTC) for the cadence's weekdays, right across daylight-saving changes."""
    slots = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day.weekday() in cadence.weekday_list:
            local = datetime.combine(day, cadence.start_time, tzinfo=cadence.zone)
            # Round-trip through UTC so a wall time that does not exist (the spring-forward gap)
            # lands on the real instant after it.
            slots.append(local.astimezone(zoneinfo.ZoneInfo("UTC")))
    return slots


def _window_slots(cadence: Cadence, *, now: datetime) -> list[datetime]:
    """The cadence's slots from now up to four weeks ahead: (now, now + 4 weeks]."""
    horizon = now + timedelta(weeks=SCHEDULE_WEEKS)
    start = timezone.localtime(now, cadence.zone).date()
    # One day more than four weeks: on a meeting day after the meeting, the same weekday
    # four weeks on is still inside the window.
    return [
        slot
        for slot in cadence_slots(cadence, start=start, days=SCHEDULE_WEEKS * 7 + 1)
        if now < slot <= horizon
    ]


def schedule_fill(*, group: Group | None = None, now: datetime | None = None) -> int:
    """Keep the next four weeks of meetings in place for every active cadence (idempotent)."""
    now = now or timezone.now()
    cadences = Cadence.objects.filter(active=True).select_related("group")
    if group is not None:
        cadences = cadences.filter(group=group)
    created = 0
    for cadence in cadences:
        rows = [
            Meeting(
                group=cadence.group,
                starts_at=slot,
                cadence_slot=slot,
                duration_minutes=cadence.duration_minutes,
                location=cadence.location,
                from_cadence=True,
            )
            for slot in _window_slots(cadence, now=now)
        ]
        before = Meeting.objects.filter(group=cadence.group).count()
        Meeting.objects.bulk_create(rows, ignore_conflicts=True)
        created += Meeting.objects.filter(group=cadence.group).count() - before
    return created


def _check_duration(duration_minutes: int) -> None:
    if not MEETING_MINUTES_MIN <= int(duration_minutes) <= MEETING_MINUTES_MAX:
        raise ValidationError({"duration_minutes": _("A meeting lasts 15 minutes to 8 hours.")})


def meeting_add(
    *,
    actor: User,
    group: Group,
    starts_at: datetime,
    duration_minutes: int = 60,
    location: str = "",
    is_reflection: bool = False,
) -> Meeting:
    """Add a single meeting outside the cadence."""
    require(actor, group, Need.MODERATE)
    _check_duration(duration_minutes)
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a time in the future.")})
    return Meeting.objects.create(
        group=group,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location.strip(),
        is_reflection=is_reflection,
    )


def meeting_move(*, actor: User, meeting: Meeting, starts_at: datetime) -> Meeting:
    """Move one meeting; members get fresh reminders for the new time."""
    require(actor, meeting.group, Need.MODERATE)
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a time in the future.")})
    # SEQUENCE is raised in the same UPDATE: two moves at once each count.
    moved = Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=starts_at, status=Meeting.Status.SCHEDULED, sequence=F("sequence") + 1
    )
    meeting.starts_at, meeting.status = starts_at, Meeting.Status.SCHEDULED
    meeting.sequence += moved
    return meeting


def meeting_cancel(*, actor: User, meeting: Meeting) -> Meeting:
    """Cancel one meeting; it stays in calendars as cancelled (a newer SEQUENCE)."""
    require(actor, meeting.group, Need.MODERATE)
    # Cancelling twice changes nothing, so the second does not raise SEQUENCE again.
    cancelled = (
        Meeting.objects.filter(pk=meeting.pk)
        .exclude(status=Meeting.Status.CANCELLED)
        .update(status=Meeting.Status.CANCELLED, sequence=F("sequence") + 1)
    )
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += cancelled
    return meeting


def rsvp_set(*, user: User, meeting: Meeting, rsvp: str) -> MeetingResponse:
    if rsvp not in MeetingResponse.Rsvp.values:
        raise ValidationError({"rsvp": _("Say whether you are coming.")})
    require(
        user,
        meeting.group,
        Need.MEMBER,
        message=_("Members of the group say whether they will come."),
    )
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"rsvp": _("This meeting is cancelled.")})
    if meeting.has_started:
        raise ValidationError({"rsvp": _("This meeting has already started.")})
    response, _created = MeetingResponse.objects.update_or_create(
        meeting=meeting, user=user, defaults={"rsvp": rsvp}
    )
    return response


@transaction.atomic
def attendance_record(
    *, actor: User, meeting: Meeting, attended_user_ids: Iterable[int | str]
) -> None:
    """The moderator records who came (everyone else in the group: not attended)."""
    require(actor, meeting.group, Need.MODERATE)
    attended = {int(pk) for pk in attended_user_ids}
    for user in active_members(meeting.group):
        MeetingResponse.objects.update_or_create(
            meeting=meeting, user=user, defaults={"attended": user.pk in attended}
        )


def calendar_feed_for(user: User, *, reset: bool = False) -> CalendarFeed:
    """A person's private calendar feed; reset gives it a new secret (the old link stops working)."""
    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if reset and not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
    return feed
