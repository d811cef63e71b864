"""Reads for meetings, meeting mode, the pulse and the reflection period's numbers."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from groups.meetings.models import Meeting, MeetingResponse, NextAction, Reflection, Session
from groups.models import Group, Membership
from impact.models import User
from metrics.periods import PeriodNumbers, numbers_of_periods
from narratives.selectors import group_questions, open_help_requests

PULSE_AVERAGES = {field: Avg(field) for field in Reflection.PULSE_FIELDS}
# How many answered each question, and how many of them did not share their pulse by name.
PULSE_COUNTS = {
    **{f"{field}_n": Count(field) for field in Reflection.PULSE_FIELDS},
    **{
        f"{field}_unshared": Count(field, filter=Q(share_pulse=False))
        for field in Reflection.PULSE_FIELDS
    },
}
# An "average" of one or two answers gives away what those members said: below this many
# answers to a question the group sees no number for it.
PULSE_MIN_ANSWERS = 3


def private_averages(row: dict) -> dict:
    """The row's pulse averages, each left out (None) where it would give away what someone
    said without sharing it: fewer than PULSE_MIN_ANSWERS answers, or one or two unshared
    answers beside shared ones (the average less the answers shown by name is theirs)."""
    for field in Reflection.PULSE_FIELDS:
        answered, unshared = row.pop(f"{field}_n"), row.pop(f"{field}_unshared")
        if answered < PULSE_MIN_ANSWERS or 0 < unshared < PULSE_MIN_ANSWERS:
            row[field] = None
    return row


def upcoming_meetings(group: Group, *, limit: int = 6) -> QuerySet[Meeting]:
    return Meeting.objects.filter(group=group, starts_at__gte=timezone.now()).order_by("starts_at")[
        :limit
    ]


def next_meeting_for(user: User) -> Meeting | None:
    return (
        Meeting.objects.filter(
            group__memberships__user=user,
            group__memberships__left_at__isnull=True,
            status=Meeting.Status.SCHEDULED,
            starts_at__gte=timezone.now(),
        )
        .select_related("group")
        .order_by("starts_at")
        .first()
    )


def open_next_actions(user: User) -> QuerySet[NextAction]:
    return (
        NextAction.objects.filter(owner=user, done_at__isnull=True)
        .select_related("group")
        .order_by("due_on", "id")
    )


def pulse_history(group: Group, *, limit: int = 12) -> list[dict]:
    """Average pulse per reflection meeting, oldest first: the group's state and its trend."""
    rows = (
        Reflection.objects.filter(meeting__group=group)
        .values("meeting_id", "meeting__starts_at")
        .annotate(answers=Count("id"), **PULSE_COUNTS, **PULSE_AVERAGES)
        .order_by("-meeting__starts_at")[:limit]
    )
    return [private_averages(row) for row in reversed(list(rows))]


def meeting_pulse(meeting: Meeting) -> dict:
    return private_averages(
        Reflection.objects.filter(meeting=meeting).aggregate(
            answers=Count("id"), **PULSE_COUNTS, **PULSE_AVERAGES
        )
    )


def meeting_mode(meeting: Meeting) -> dict:
    """Everything the moderator needs on the shared screen, in a fixed number of queries."""

    group = meeting.group
    members = [
        m.user for m in Membership.objects.active().filter(group=group).select_related("user")
    ]
    reflections = list(Reflection.objects.filter(meeting=meeting).select_related("user"))
    answered = {r.user_id for r in reflections}
    previous = previous_session(meeting)
    return {
        "reflections": reflections,
        "not_answered": [u for u in members if u.pk not in answered],
        "members": members,
        "help_requests": list(open_help_requests(group)),
        "questions": list(group_questions(group).filter(status="open")[:10]),
        "previous": previous,
        "previous_actions": list(previous.next_actions.select_related("owner")) if previous else [],
        "pulse": meeting_pulse(meeting),
        "pulse_history": pulse_history(group),
        "since": previous.meeting.starts_at if previous else None,
        "numbers": reflection_numbers(meeting, previous=previous),
    }


# The reflection period ----------------------------------------------------------------------

# With no earlier session to look back to, a reflection covers this much before the meeting.
FIRST_PERIOD = timedelta(days=7)


def previous_session(meeting: Meeting) -> Session | None:
    """The group's last closed session before this meeting: what "last time" means."""
    return (
        Session.objects.filter(
            group_id=meeting.group_id,
            closed_at__isnull=False,
            meeting__starts_at__lt=meeting.starts_at,
        )
        .select_related("meeting")
        .order_by("-meeting__starts_at")
        .first()
    )


@dataclass
class WhoIsComing:
    """A meeting's members by their answer (coming, maybe, can't come, no answer yet)."""

    people: list[tuple[User, MeetingResponse | None]]
    coming: int
    maybe: int
    not_coming: int
    unanswered: int


_ANSWER_ORDER = {
    MeetingResponse.Rsvp.YES: 0,
    MeetingResponse.Rsvp.MAYBE: 1,
    MeetingResponse.Rsvp.NO: 2,
}


def who_is_coming(members: list[User], responses: dict[int, MeetingResponse]) -> WhoIsComing:
    """Those coming first, then maybe, can't come and no answer, each in the members' order."""

    def answer(user: User) -> str:
        response = responses.get(user.pk)
        return response.rsvp if response is not None else ""

    people = sorted(
        ((user, responses.get(user.pk)) for user in members),
        key=lambda pair: _ANSWER_ORDER.get(answer(pair[0]), len(_ANSWER_ORDER)),
    )
    answers = [answer(user) for user in members]
    return WhoIsComing(
        people=people,
        coming=answers.count(MeetingResponse.Rsvp.YES),
        maybe=answers.count(MeetingResponse.Rsvp.MAYBE),
        not_coming=answers.count(MeetingResponse.Rsvp.NO),
        unanswered=sum(1 for a in answers if not a),
    )


def last_session_day(group: Group) -> date | None:
    """The day, in the group's zone, its last closed session met: where "since we last met"
    starts on the charts."""
    started = (
        Session.objects.filter(group=group, closed_at__isnull=False)
        .order_by("-meeting__starts_at")
        .values_list("meeting__starts_at", flat=True)
        .first()
    )
    return timezone.localtime(started, group_zone(group)).date() if started else None


def group_zone(group: Group) -> zoneinfo.ZoneInfo:
    """The zone the group meets in (its cadence's), else the site's."""
    cadence = getattr(group, "cadence", None)
    return cadence.zone if cadence is not None else zoneinfo.ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class ReflectionPeriod:
    """The instants [since, until): from the previous session's start to this meeting's start.

    Actions and measurements carry a day, not a time. An entry counts at the moment it was
    logged, held inside its day (read in the group's zone): so on the day of a session what
    was logged before the session belongs to the period before it and what was logged after
    to the next one, a day logged later lands at its day's end, and consecutive periods
    neither overlap nor leave a gap. Nothing depends on the zone of the person reading.
    """

    since: datetime
    until: datetime
    zone: zoneinfo.ZoneInfo
    previous_session: Session | None = None

    @property
    def before(self) -> "ReflectionPeriod":
        """The period of the same length just before this one."""
        return ReflectionPeriod(self.since - (self.until - self.since), self.since, self.zone)

    @cached_property
    def first_day(self) -> date:
        return timezone.localtime(self.since, self.zone).date()

    @cached_property
    def last_day(self) -> date:
        return timezone.localtime(self.until, self.zone).date()

    def holds(self, day: date, logged_at: datetime) -> bool:
        """Whether an entry (an action or a measurement) of this day, logged at this moment,
        lies in [since, until): on the first and last day the moment decides."""
        first, last = self.first_day, self.last_day
        if first == last:
            return day == first and self.since <= logged_at < self.until
        return (
            first < day < last
            or (day == first and logged_at >= self.since)
            or (day == last and logged_at < self.until)
        )

    def up_to_end(self, day_field: str) -> Q:
        """Entries whose moment lies before `until`: where a level stands at the period's end."""
        last = self.last_day
        return Q(**{f"{day_field}__lt": last}) | Q(
            **{day_field: last, "created_at__lt": self.until}
        )


# Any: the sentinel stands in for a `Session | None` default.
_LOOK_UP: Any = object()


def reflections_open(meeting: Meeting, *, session: Session | None = _LOOK_UP) -> bool:
    """Whether members can still write or change their reflection: until the meeting's session
    closes, so that what someone adds in the live room reaches the summary; a meeting no one ran
    a session for stops taking them at its end. `session`: the meeting's, if the caller has it."""
    if session is _LOOK_UP:
        session = Session.objects.filter(meeting=meeting).first()
    if session is not None:
        return session.closed_at is None
    return timezone.now() < meeting.ends_at


def reflection_period(meeting: Meeting, *, previous: Session | None = _LOOK_UP) -> ReflectionPeriod:
    """Since the group's previous closed session (or the 7 days before), up to this meeting."""
    if previous is _LOOK_UP:
        previous = previous_session(meeting)
    until = meeting.starts_at
    since = previous.meeting.starts_at if previous is not None else until - FIRST_PERIOD
    return ReflectionPeriod(since, until, group_zone(meeting.group), previous)


@dataclass
class ReflectionNumbers:
    """A reflection period in numbers, the group's and each member's, against the period before."""

    period: ReflectionPeriod
    metrics: list  # the group's active metric definitions
    group: PeriodNumbers
    group_before: PeriodNumbers
    members: dict[int, tuple[PeriodNumbers, PeriodNumbers]]

    def rows(self) -> list[tuple[object, Decimal, Decimal]]:
        """(metric, value in the period, value in the period before) for every active metric."""
        zero = Decimal("0")
        return [
            (m, self.group.impact.get(m.pk, zero), self.group_before.impact.get(m.pk, zero))
            for m in self.metrics
        ]

    def member(self, user_id: int) -> tuple[PeriodNumbers, PeriodNumbers]:
        return self.members.get(user_id) or (PeriodNumbers(), PeriodNumbers())

    def member_rows(self, user_id: int) -> list[tuple[object, Decimal, Decimal]]:
        """A member's own impact on the metrics they measured (a level is the group's)."""
        zero = Decimal("0")
        now, before = self.member(user_id)
        return [
            (m, now.impact.get(m.pk, zero), before.impact.get(m.pk, zero))
            for m in self.metrics
            if m.pk in now.impact or m.pk in before.impact
        ]


def reflection_numbers(
    meeting: Meeting, *, previous: Session | None = _LOOK_UP
) -> ReflectionNumbers:
    """The numbers of a reflection period, the one read behind the prompt, meeting mode and the
    summary: actions, effort and impact since the last session, against the period before.

    A fixed number of queries however many members (five, or six with a level metric).
    """
    period = reflection_period(meeting, previous=previous)
    return _numbers_of({meeting.pk: period}, {meeting.pk: meeting.group_id})[meeting.pk]


def reflection_numbers_for(meetings: list[Meeting]) -> dict[int, ReflectionNumbers]:
    """reflection_numbers() of many meetings at once (the prompt job's), by meeting id.

    A fixed number of queries however many meetings and members (five), and two more per
    meeting whose group has a level metric.
    """
    if not meetings:
        return {}
    previous_ids = dict(
        Meeting.objects.filter(pk__in=[m.pk for m in meetings])
        .annotate(
            previous_id=Subquery(
                Session.objects.filter(
                    group_id=OuterRef("group_id"),
                    closed_at__isnull=False,
                    meeting__starts_at__lt=OuterRef("starts_at"),
                )
                .order_by("-meeting__starts_at")
                .values("pk")[:1]
            )
        )
        .values_list("pk", "previous_id")
    )
    sessions = Session.objects.select_related("meeting").in_bulk(
        [pk for pk in previous_ids.values() if pk is not None]
    )
    periods = {
        m.pk: reflection_period(m, previous=sessions.get(previous_ids.get(m.pk))) for m in meetings
    }
    return _numbers_of(periods, {m.pk: m.group_id for m in meetings})


def _numbers_of(
    periods: dict[int, ReflectionPeriod], group_of: dict[int, int]
) -> dict[int, ReflectionNumbers]:
    """The numbers of each meeting's period (and the one before it), by meeting id."""
    return {
        meeting_id: ReflectionNumbers(periods[meeting_id], n.metrics, n.now, n.before, n.members)
        for meeting_id, n in numbers_of_periods(periods, group_of).items()
    }
