"""Writes and jobs for meetings, reflections and sessions.

The jobs (schedule, reminders, prompts, digest) are idempotent: every message has a dedupe key
in the outbox, so beat firing twice, two workers racing or a worker dying mid-run never sends
anything twice, and a rerun picks up what is still useful.
"""

import logging
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from groups.meetings.models import (
    MEETING_MINUTES_MAX,
    MEETING_MINUTES_MIN,
    Cadence,
    CalendarFeed,
    Meeting,
    MeetingResponse,
    NextAction,
    Reflection,
    Session,
)
from groups.models import Group, Membership
from groups.permissions import Need, require
from impact.models import EmailOptOut, User
from impact.services import (
    Message,
    notify,
    notify_each,
    outbox_key,
    outbox_keys_taken,
)

logger = logging.getLogger(__name__)

SCHEDULE_WEEKS = 4
# Beat runs the reminder job every 5 minutes and a reminder is useful for half its offset:
# below 15 minutes that window could fall between two runs and the reminder never go out.
MIN_REMINDER_OFFSET = 15
PROMPT = "meeting.prompt"


def active_members(group: Group) -> list[User]:
    return [m.user for m in Membership.objects.active().filter(group=group).select_related("user")]


def local_time_for(user: User, moment: datetime) -> str:
    """A moment as the person reads it: their own time zone, with the zone named."""
    local = timezone.localtime(moment, user.zone)
    with translation.override("en"):
        return f"{date_format(local, 'l j F, H:i')} ({user.time_zone})"


# Cadence and meetings ---------------------------------------------------------------------


def _parse_list(raw, field: str, *, low: int, high: int, message: str) -> str:
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
    weekdays,
    start_time: time,
    time_zone: str,
    duration_minutes: int = 60,
    location: str = "",
    reminder_offsets="1440,60",
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
    future.filter(cadence_slot__in=wanted).update(
        duration_minutes=cadence.duration_minutes, location=cadence.location
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
    # Members who answered or said they come see the meeting cancelled rather than vanish.
    Meeting.objects.filter(pk__in=answered).update(
        status=Meeting.Status.CANCELLED, cadence_slot=None, from_cadence=False
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
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=starts_at, status=Meeting.Status.SCHEDULED
    )
    meeting.starts_at = starts_at
    return meeting


def meeting_cancel(*, actor: User, meeting: Meeting) -> Meeting:
    require(actor, meeting.group, Need.MODERATE)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)
    meeting.status = Meeting.Status.CANCELLED
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
def attendance_record(*, actor: User, meeting: Meeting, attended_user_ids) -> None:
    """The moderator records who came (everyone else in the group: not attended)."""
    require(actor, meeting.group, Need.MODERATE)
    attended = {int(pk) for pk in attended_user_ids}
    for user in active_members(meeting.group):
        MeetingResponse.objects.update_or_create(
            meeting=meeting, user=user, defaults={"attended": user.pk in attended}
        )


# Reflections ------------------------------------------------------------------------------

REFLECTION_FIELDS = [
    "impact_achieved",
    "learned",
    "new_questions",
    "need_help",
    *Reflection.PULSE_FIELDS,
    "share_pulse",
]


def _pulse_value(value, field: str) -> int | None:
    if value in ("", None):
        return None
    try:
        # Through str: 3.7 or True must not pass as 3 or 1.
        number = None if isinstance(value, bool) else int(str(value).strip())
    except ValueError:
        number = None
    if number is None or not 1 <= number <= 5:
        raise ValidationError({field: _("Choose from 1 to 5.")})
    return number


def reflection_save(*, user: User, meeting: Meeting, **fields) -> Reflection:
    """Save a member's reflection for a meeting; it can be changed until the meeting starts."""
    require(
        user,
        meeting.group,
        Need.MEMBER,
        message=_("Members of the group answer its reflection prompt."),
    )
    if meeting.has_started:
        raise ValidationError(_("The meeting has started: reflections can no longer be changed."))
    values = {key: fields[key] for key in REFLECTION_FIELDS if key in fields}
    for key in Reflection.PULSE_FIELDS:
        values[key] = _pulse_value(values.get(key), key)
    for key in ["impact_achieved", "learned", "new_questions", "need_help"]:
        values[key] = (values.get(key) or "").strip()
    reflection, _created = Reflection.objects.update_or_create(
        meeting=meeting, user=user, defaults=values
    )
    return reflection


# Sessions ---------------------------------------------------------------------------------


def session_open(*, actor: User, meeting: Meeting) -> Session:
    require(actor, meeting.group, Need.MODERATE)
    session, _created = Session.objects.get_or_create(
        meeting=meeting, defaults={"group": meeting.group}
    )
    return session


def _require_open(session: Session) -> None:
    # Re-read: a session object held by a page or the API may be older than its closing, and
    # anything added after the summary went out would never reach the members.
    if Session.objects.filter(pk=session.pk, closed_at__isnull=False).exists():
        raise ValidationError(_("This session is closed."))


def session_save(*, actor: User, session: Session, achieved: str, learnings: str) -> Session:
    require(actor, session.group, Need.MODERATE)
    _require_open(session)
    Session.objects.filter(pk=session.pk).update(
        achieved=achieved.strip(), learnings=learnings.strip()
    )
    session.achieved, session.learnings = achieved.strip(), learnings.strip()
    return session


def session_add_next_action(
    *, actor: User, session: Session, owner: User, description: str, due_on: date | None = None
) -> NextAction:
    require(actor, session.group, Need.MODERATE)
    _require_open(session)
    description = description.strip()
    if not description:
        raise ValidationError({"description": _("Say what the next action is.")})
    if not Membership.objects.active().filter(group=session.group, user=owner).exists():
        raise ValidationError({"owner": _("The owner must be a member of the group.")})
    return NextAction.objects.create(
        session=session,
        group=session.group,
        owner=owner,
        description=description[:200],
        due_on=due_on,
    )


def session_add_question(*, actor: User, session: Session, text: str):
    """A new question from the session becomes one of the group's powerful questions."""
    require(actor, session.group, Need.MODERATE)
    _require_open(session)
    from narratives.services import question_ask

    return question_ask(actor=actor, group=session.group, text=text)


def session_require_closable(*, session: Session) -> None:
    """Refuse to close a session whose meeting has not started yet."""
    # Closing before the start would leave the meeting under "Coming up", confirmed in
    # calendar feeds and still asking members for reflections nobody reads: a session is
    # closed once its meeting has begun, and then the pages, feed and prompt agree.
    if not session.meeting.has_started:
        raise ValidationError(
            _("The meeting has not started yet: close the session once it has been held.")
        )


@transaction.atomic
def session_close(
    *, actor: User, session: Session, achieved: str | None = None, learnings: str | None = None
) -> Session:
    """Close the session: save it and send every member the summary."""
    session = (
        Session.objects.select_for_update().select_related("meeting", "group").get(pk=session.pk)
    )
    require(actor, session.group, Need.MODERATE)
    if session.closed_at is not None:
        return session
    session_require_closable(session=session)
    if achieved is not None:
        session.achieved = achieved.strip()
    if learnings is not None:
        session.learnings = learnings.strip()
    next_actions = list(session.next_actions.select_related("owner"))
    from groups.meetings.selectors import reflection_numbers

    numbers = reflection_numbers(session.meeting)
    lines = [
        _("Impact since the last session:")
        if numbers.period.previous_session is not None
        else _("Impact in the 7 days before the meeting:"),
        *reflection_group_lines(numbers),
        "",
    ]
    if session.achieved:
        lines += [_("What we achieved:"), session.achieved, ""]
    if session.learnings:
        lines += [_("What we learned:"), session.learnings, ""]
    if next_actions:
        lines.append(_("Next actions:"))
        for item in next_actions:
            due = f" ({_('due')} {item.due_on:%d %b})" if item.due_on else ""
            lines.append(f"- {item.owner.public_name}: {item.description}{due}")
    session.summary = "\n".join(lines).strip() or _("The session was held; nothing was recorded.")
    session.closed_at, session.closed_by = timezone.now(), actor
    session.save()
    notify(
        recipients=active_members(session.group),
        kind="meeting.summary",
        key=f"session:{session.pk}",
        title=_("Summary of %(group)s's reflection") % {"group": session.group.name},
        body=session.summary,
        url=reverse("groups:session_detail", args=[session.pk]),
        subject=session,
    )
    return session


def next_action_done(*, user: User, next_action: NextAction, done: bool = True) -> NextAction:
    if next_action.owner_id != user.pk:
        require(
            user,
            next_action.group,
            Need.MODERATE,
            message=_("Only its owner or a moderator can tick off a next action."),
        )
    NextAction.objects.filter(pk=next_action.pk).update(done_at=timezone.now() if done else None)
    next_action.done_at = timezone.now() if done else None
    return next_action


def calendar_feed_for(user: User, *, reset: bool = False) -> CalendarFeed:
    """A person's private calendar feed; reset gives it a new secret (the old link stops working)."""
    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if reset and not created:
        from groups.meetings.models import new_feed_token

        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
    return feed


# Jobs -------------------------------------------------------------------------------------


def _upcoming(now: datetime, horizon: timedelta):
    return Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=now + horizon
    ).select_related("group", "group__cadence")


def _offsets_for(meeting: Meeting) -> list[int]:
    cadence = getattr(meeting.group, "cadence", None)
    return cadence.offsets if cadence is not None else [1440, 60]


def reminders_send(*, now: datetime | None = None) -> int:
    """Send each member one reminder per offset before each meeting, while it is still useful.

    A reminder for offset o is due from o before the start; after downtime it is still sent
    while less than half of o has passed (a day-before reminder until 12 hours before), never
    once the meeting has started. Everything due is written in one bulk pass (a fixed number
    of queries however many groups meet), each member's copy in their own time zone.
    """
    now = now or timezone.now()
    due = []
    for meeting in _upcoming(now, timedelta(days=8)):
        for offset in _offsets_for(meeting):
            starts_reminding = meeting.starts_at - timedelta(minutes=offset)
            if starts_reminding <= now < starts_reminding + timedelta(minutes=offset / 2):
                due.append((meeting, offset))
    if not due:
        return 0
    members: dict[int, list[User]] = {}
    for membership in (
        Membership.objects.active()
        .filter(group_id__in={meeting.group_id for meeting, _offset in due})
        .select_related("user")
    ):
        members.setdefault(membership.group_id, []).append(membership.user)
    texts: dict[tuple[int, str], tuple[str, str]] = {}
    messages = []
    for meeting, offset in due:
        key = f"{meeting.pk}:{meeting.starts_at.timestamp():.0f}:{offset}"
        for member in members.get(meeting.group_id, []):
            # Everyone in one time zone reads the same words: render them once.
            cache_key = (meeting.pk, member.time_zone)
            if cache_key not in texts:
                when = local_time_for(member, meeting.starts_at)
                lines = [_("When: %(when)s") % {"when": when}]
                if meeting.location:
                    lines.append(_("Where: %(where)s") % {"where": meeting.location})
                lines.append(_("The calendar file is attached."))
                title = _("%(group)s meets %(when)s") % {"group": meeting.group.name, "when": when}
                texts[cache_key] = (title, "\n".join(lines))
            title, body = texts[cache_key]
            messages.append(
                Message(member, key, title, body, meeting.get_absolute_url(), subject=meeting)
            )
    with transaction.atomic():
        written = notify_each(kind="meeting.reminder", messages=messages, in_app=False)
    logger.info(
        "Meeting reminders: %d reminder(s) due, %d email(s) written", len(due), len(written)
    )
    return len(written)


def reminder_still_due(notification) -> bool:
    """A queued reminder is sent only while its meeting is on, at the time it announced."""
    meeting = Meeting.objects.filter(pk=notification.subject_id).only("starts_at", "status").first()
    if meeting is None or meeting.status != Meeting.Status.SCHEDULED:
        return False
    if meeting.starts_at <= timezone.now():
        return False
    # The dedupe key carries the start the reminder was written for: meeting:start:offset.
    announced = notification.dedupe_key.split(":")[2:3]
    return announced == [f"{meeting.starts_at.timestamp():.0f}"]


class _NumberLines:
    """Number lines of a prompt or summary: the patterns are translated once and each value
    (and each moment in each time zone) formatted once: a prompt run writes tens of thousands
    of these lines."""

    def __init__(self):
        self.actions = _("Actions: %(n)d (before: %(m)d)")
        self.minutes = _("Effort: %(n)d minutes (before: %(m)d)")
        self.impact_pattern = _("%(metric)s: %(amount)s (before: %(before)s)")
        self.formatted: dict = {}

    def when(self, member: User, moment: datetime) -> str:
        """local_time_for(), once per moment and time zone (meetings often share both)."""
        key = (moment, member.time_zone)
        if key not in self.formatted:
            self.formatted[key] = local_time_for(member, moment)
        return self.formatted[key]

    def number(self, value) -> str:
        key = (type(value), value)
        if key not in self.formatted:
            self.formatted[key] = floatformat(value, -2)
        return self.formatted[key]

    def impact(self, metric, value, before) -> str:
        return self.impact_pattern % {
            "metric": metric.name,
            "amount": f"{self.number(value)} {metric.unit}".strip(),
            "before": self.number(before),
        }

    def effort(self, now, before) -> list[str]:
        return [
            self.actions % {"n": now.actions, "m": before.actions},
            self.minutes % {"n": now.minutes, "m": before.minutes},
        ]


def reflection_group_lines(numbers, lines: _NumberLines | None = None) -> list[str]:
    """The group's numbers for a reflection period: the same lines in the prompt and summary."""
    lines = lines or _NumberLines()
    return lines.effort(numbers.group, numbers.group_before) + [
        lines.impact(metric, value, before) for metric, value, before in numbers.rows()
    ]


class _PromptText:
    """One meeting's prompt: what every member reads alike is rendered once, the times once
    per time zone, and only each member's own numbers per member."""

    def __init__(self, numbers, meeting: Meeting, lines: _NumberLines):
        self.numbers, self.meeting, self.lines = numbers, meeting, lines
        if numbers.period.previous_session is not None:
            self.heading = _(
                "Since the last session, %(when)s, compared with the same length of time before it:"
            )
        else:
            self.heading = _(
                "In the 7 days before the meeting, from %(when)s, compared with the 7 days before:"
            )
        self.you = _("You:")
        self.the_group = [_("The group:"), *reflection_group_lines(numbers, lines)]
        self.questions = [
            _("What impact did you achieve since the last session?"),
            _("What did you learn?"),
            _("Which new questions emerged?"),
            _("Where are you stuck and need help?"),
        ]
        self.meeting_line = _("Meeting: %(when)s")
        self.times: dict[str, tuple[str, str]] = {}

    def _times(self, member: User) -> tuple[str, str]:
        if member.time_zone not in self.times:
            self.times[member.time_zone] = (
                self.heading % {"when": self.lines.when(member, self.numbers.period.since)},
                self.meeting_line % {"when": self.lines.when(member, self.meeting.starts_at)},
            )
        return self.times[member.time_zone]

    def body(self, member: User) -> str:
        heading, meeting_line = self._times(member)
        now, before = self.numbers.member(member.pk)
        mine = self.lines.effort(now, before) + [
            self.lines.impact(metric, value, earlier)
            for metric, value, earlier in self.numbers.member_rows(member.pk)
        ]
        return "\n".join(
            [
                heading,
                "",
                self.you,
                *mine,
                "",
                *self.the_group,
                "",
                *self.questions,
                "",
                meeting_line,
            ]
        )


def _prompt_meetings_due(now: datetime) -> dict[int, int]:
    """The group of each reflection meeting whose prompt window is open, by meeting id."""
    due = {}
    for pk, group_id, starts_at, hours in (
        _upcoming(now, timedelta(days=8))
        .filter(is_reflection=True)
        .values_list("pk", "group_id", "starts_at", "group__cadence__prompt_hours_before")
    ):
        if now >= starts_at - timedelta(hours=48 if hours is None else hours):
            due[pk] = group_id
    return due


def _prompts_waiting(due: dict[int, int]) -> dict[int, list[int]]:
    """The members of each due meeting whose prompt is not in the outbox yet, by meeting id.

    Read before anything is computed for them, as plain ids (no User objects): a tick with
    nothing new costs the two queries here (members with their opt-outs, the prompt keys
    taken), whatever the number of members.
    """
    members: dict[int, list[tuple[int, bool]]] = {}
    for group_id, user_id, is_active, email, opted_out in (
        Membership.objects.active()
        .filter(group_id__in=set(due.values()))
        .annotate(
            opted_out=Exists(EmailOptOut.objects.filter(user_id=OuterRef("user_id"), kind=PROMPT))
        )
        .values_list("group_id", "user_id", "user__is_active", "user__email", "opted_out")
    ):
        if is_active:
            # Whether their prompt has an email row: an address, and prompts not turned off.
            members.setdefault(group_id, []).append((user_id, bool(email) and not opted_out))
    wanted = {}
    for meeting_id, group_id in due.items():
        for user_id, by_email in members.get(group_id, []):
            keys = [outbox_key(PROMPT, f"{meeting_id}", user_id, "in_app")]
            if by_email:
                keys.append(outbox_key(PROMPT, f"{meeting_id}", user_id, "email"))
            wanted[meeting_id, user_id] = keys
    taken = outbox_keys_taken(key for keys in wanted.values() for key in keys)
    waiting: dict[int, list[int]] = {}
    for (meeting_id, user_id), keys in wanted.items():
        if not taken.issuperset(keys):
            waiting.setdefault(meeting_id, []).append(user_id)
    return waiting


def prompts_send(*, now: datetime | None = None) -> int:
    """Send each member the reflection prompt: the period since the last session in numbers.

    Members who already have theirs are left out before anything is computed; the numbers
    of every meeting still waiting are read together (a fixed number of queries for all
    meetings and members) and each member's copy differs only in their own numbers and
    their time zone. Returns how many prompt emails this run wrote.
    """
    from groups.meetings.selectors import reflection_numbers_for

    now = now or timezone.now()
    due = _prompt_meetings_due(now)
    if not due:
        return 0
    waiting = _prompts_waiting(due)
    if not waiting:
        return 0
    meetings = list(
        Meeting.objects.filter(pk__in=list(waiting))
        .select_related("group", "group__cadence")
        .order_by("pk")
    )
    users = User.objects.in_bulk({user_id for user_ids in waiting.values() for user_id in user_ids})
    numbers_of = reflection_numbers_for(meetings)
    lines = _NumberLines()
    messages = []
    for meeting in meetings:
        text = _PromptText(numbers_of[meeting.pk], meeting, lines)
        title = _("Reflect on your week before %(group)s meets") % {"group": meeting.group.name}
        url = reverse("groups:reflection_edit", args=[meeting.pk])
        messages += [
            Message(users[user_id], f"{meeting.pk}", title, text.body(users[user_id]), url, meeting)
            for user_id in waiting[meeting.pk]
            if user_id in users
        ]
    with transaction.atomic():
        written = notify_each(kind=PROMPT, messages=messages)
    logger.info(
        "Reflection prompts: %d meeting(s) due, %d member(s) waiting, %d email(s) written",
        len(numbers_of),
        len(messages),
        len(written),
    )
    return len(written)


def quiet_members(group: Group, *, today: date) -> dict[str, list[User]]:
    """Who the moderators may want to reach out to: quiet, new without an action, stuck."""
    memberships = list(Membership.objects.active().filter(group=group).select_related("user"))
    return quiet_members_for({group.pk: memberships}, today=today)[group.pk]


def quiet_members_for(
    memberships: dict[int, list[Membership]], *, today: date
) -> dict[int, dict[str, list[User]]]:
    """quiet_members() for many groups at once, from their active memberships: two queries."""
    from metrics.models import Action

    last_action = {
        (row["group_id"], row["user_id"]): row["last"]
        for row in Action.objects.filter(group_id__in=list(memberships))
        .values("group_id", "user_id")
        .annotate(last=Max("happened_on"))
        .order_by()
    }
    latest_stuck = {}
    for group_id, user_id, stuck in (
        Reflection.objects.filter(meeting__group_id__in=list(memberships), stuck__isnull=False)
        .order_by("meeting__starts_at")
        .values_list("meeting__group_id", "user_id", "stuck")
    ):
        latest_stuck[group_id, user_id] = stuck
    found = {}
    for group_id, seats in memberships.items():
        result = found[group_id] = {"quiet": [], "new_without_action": [], "stuck": []}
        for membership in seats:
            user, last = membership.user, last_action.get((group_id, membership.user_id))
            joined = membership.joined_at.date()
            if last is None and joined <= today - timedelta(days=7):
                result[
                    "new_without_action" if joined > today - timedelta(days=30) else "quiet"
                ].append(user)
            elif last is not None and last < today - timedelta(days=14):
                result["quiet"].append(user)
            if latest_stuck.get((group_id, user.pk), 0) >= 4:
                result["stuck"].append(user)
    return found


def digest_send(*, now: datetime | None = None) -> int:
    """Once a week, tell each group's moderators who went quiet, who is new and idle, who is stuck.

    Every group at once: a fixed number of queries however many groups. Returns how many
    digest emails this run wrote.
    """
    now = now or timezone.now()
    today = now.date()
    iso_year, iso_week, _day = today.isocalendar()
    memberships: dict[int, list[Membership]] = {}
    for membership in (
        Membership.objects.active()
        .filter(group__in=Membership.objects.active().filter(role="moderator").values("group_id"))
        .select_related("user", "group")
    ):
        memberships.setdefault(membership.group_id, []).append(membership)
    labels = {
        "quiet": _("No action in 14 days"),
        "new_without_action": _("New, no first action after their first week"),
        "stuck": _("Said they are stuck"),
    }
    messages = []
    for group_id, found in quiet_members_for(memberships, today=today).items():
        if not any(found.values()):
            continue
        group = memberships[group_id][0].group
        lines = [
            f"{labels[key]}: {', '.join(u.public_name for u in users)}"
            for key, users in found.items()
            if users
        ]
        title = _("Who in %(group)s could use a nudge") % {"group": group.name}
        body = "\n".join([*lines, "", _("Challenge the passive, support the frustrated.")])
        url = reverse("groups:group_detail", args=[group.pk])
        messages += [
            Message(seat.user, f"{group.pk}:{iso_year}-{iso_week}", title, body, url, group)
            for seat in memberships[group_id]
            if seat.role == "moderator"
        ]
    with transaction.atomic():
        written = notify_each(kind="meeting.digest", messages=messages)
    logger.info(
        "Moderator digest: %d group(s), %d moderator copies, %d email(s) written",
        len(memberships),
        len(messages),
        len(written),
    )
    return len(written)
