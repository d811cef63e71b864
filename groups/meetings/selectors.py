"""Reads for meetings, meeting mode, the pulse and the reflection period's numbers."""

import operator
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property, reduce

from django.conf import settings
from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from groups.meetings.models import Meeting, NextAction, Reflection, Session
from groups.models import Group, Membership
from metrics.selectors import PeriodNumbers

PULSE_AVERAGES = {field: Avg(field) for field in Reflection.PULSE_FIELDS}
PULSE_COUNTS = {f"{field}_n": Count(field) for field in Reflection.PULSE_FIELDS}
# An "average" of one or two answers gives away what those members said: below this many
# answers to a question the group sees no number for it.
PULSE_MIN_ANSWERS = 3


def _private_averages(row: dict) -> dict:
    for field in Reflection.PULSE_FIELDS:
        if row.pop(f"{field}_n") < PULSE_MIN_ANSWERS:
            row[field] = None
    return row


def upcoming_meetings(group: Group, *, limit: int = 6) -> QuerySet[Meeting]:
    return Meeting.objects.filter(group=group, starts_at__gte=timezone.now()).order_by("starts_at")[
        :limit
    ]


def next_meeting_for(user) -> Meeting | None:
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


def open_next_actions(user) -> QuerySet[NextAction]:
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
    return [_private_averages(row) for row in reversed(list(rows))]


def meeting_pulse(meeting: Meeting) -> dict:
    return _private_averages(
        Reflection.objects.filter(meeting=meeting).aggregate(
            answers=Count("id"), **PULSE_COUNTS, **PULSE_AVERAGES
        )
    )


def meeting_mode(meeting: Meeting) -> dict:
    """Everything the moderator needs on the shared screen, in a fixed number of queries."""
    from narratives.selectors import group_questions, open_help_requests

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


_LOOK_UP = object()


def reflection_period(meeting: Meeting, *, previous=_LOOK_UP) -> ReflectionPeriod:
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


def _combined(metric, total, count) -> Decimal:
    from metrics.models import MetricDefinition

    if metric.aggregation == MetricDefinition.Aggregation.AVERAGE:
        return (Decimal(total) / count).quantize(Decimal("0.01"))
    return Decimal(total)


def reflection_numbers(meeting: Meeting, *, previous=_LOOK_UP) -> ReflectionNumbers:
    """The numbers of a reflection period, the one read behind the prompt, meeting mode and the
    summary: actions, effort and impact since the last session, against the period before.

    A fixed number of queries however many members (five, or six with a level metric).
    """
    period = reflection_period(meeting, previous=previous)
    return _numbers_of({meeting.pk: period}, {meeting.pk: meeting.group_id})[meeting.pk]


def _days_around(
    periods: dict[int, ReflectionPeriod], group_of: dict[int, int], day_field: str
) -> Q:
    """The (group, day) ranges covering each period and the one before it, as one filter:
    meetings that share their days share one term, so the (group, day) index narrows the rows."""
    ranges: dict[tuple[date, date], set[int]] = {}
    for meeting_id, period in periods.items():
        days = (period.before.first_day, period.last_day)
        ranges.setdefault(days, set()).add(group_of[meeting_id])
    return reduce(
        operator.or_,
        (
            Q(group_id__in=sorted(ids), **{f"{day_field}__gte": first, f"{day_field}__lte": last})
            for (first, last), ids in ranges.items()
        ),
    )


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
    """The numbers of each meeting's period (and the one before it), by meeting id: the entries
    of every period are read once (three queries, two more per group with a level metric) and
    counted here by ReflectionPeriod.holds()."""
    from metrics.models import Action, Measurement, MetricDefinition
    from metrics.selectors import latest_levels

    metrics_of: dict[int, list] = {}
    for metric in MetricDefinition.objects.filter(
        group_id__in=set(group_of.values()), archived_at__isnull=True
    ).order_by("name", "id"):
        metrics_of.setdefault(metric.group_id, []).append(metric)

    actions_of: dict[int, list] = {}
    for row in Action.objects.filter(_days_around(periods, group_of, "happened_on")).values_list(
        "group_id", "user_id", "happened_on", "created_at", "effort_minutes"
    ):
        actions_of.setdefault(row[0], []).append(row)
    summed_ids = [
        m.pk
        for metrics in metrics_of.values()
        for m in metrics
        if m.aggregation != MetricDefinition.Aggregation.LATEST
    ]
    measurements_of: dict[int, list] = {}
    if summed_ids:
        for row in (
            Measurement.objects.filter(metric_id__in=summed_ids)
            .filter(_days_around(periods, group_of, "measured_on"))
            .values_list("group_id", "user_id", "metric_id", "measured_on", "created_at", "value")
        ):
            measurements_of.setdefault(row[0], []).append(row)

    result = {}
    for meeting_id, period in periods.items():
        group_id = group_of[meeting_id]
        before = period.before
        metrics = metrics_of.get(group_id, [])
        members: dict[int, tuple[PeriodNumbers, PeriodNumbers]] = {}
        group_now, group_before = PeriodNumbers(), PeriodNumbers()
        for _group, user_id, day, logged_at, minutes in actions_of.get(group_id, []):
            for index, span, group_total in ((0, period, group_now), (1, before, group_before)):
                if span.holds(day, logged_at):
                    mine = members.setdefault(user_id, (PeriodNumbers(), PeriodNumbers()))[index]
                    for numbers in (mine, group_total):
                        numbers.actions += 1
                        numbers.minutes += minutes
        by_id = {m.pk: m for m in metrics}
        # (user, metric, in this period) -> [total, count]; None as user for the group's.
        sums: dict[tuple, list] = {}
        for _group, user_id, metric_id, day, logged_at, value in measurements_of.get(group_id, []):
            if metric_id not in by_id:
                continue
            for span, later in ((period, True), (before, False)):
                if span.holds(day, logged_at):
                    members.setdefault(user_id, (PeriodNumbers(), PeriodNumbers()))
                    for who in (user_id, None):
                        tally = sums.setdefault((who, metric_id, later), [Decimal("0"), 0])
                        tally[0] += value
                        tally[1] += 1
        for (who, metric_id, later), (total, n) in sums.items():
            if who is None:
                target = group_now if later else group_before
            else:
                target = members[who][0 if later else 1]
            target.impact[metric_id] = _combined(by_id[metric_id], total, n)
        levels = [m for m in metrics if m.aggregation == MetricDefinition.Aggregation.LATEST]
        if levels:
            # A level holds until the next measurement: its value in a period is where it stood
            # at the period's end, measured in it or not (the charts read levels the same way).
            scope = Measurement.objects.filter(group_id=group_id, metric__in=levels)
            group_now.impact.update(latest_levels(scope.filter(period.up_to_end("measured_on"))))
            group_before.impact.update(latest_levels(scope.filter(before.up_to_end("measured_on"))))
        result[meeting_id] = ReflectionNumbers(period, metrics, group_now, group_before, members)
    return result
