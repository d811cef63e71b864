"""A group's numbers over stretches of time (a reflection period and the one before it):
actions, minutes of effort and impact per metric, the group's and each member's."""

import operator
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import reduce
from typing import Protocol

from django.db.models import Expression, F, OrderBy, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from metrics.models import Action, Measurement, MetricDefinition

ZERO = Decimal("0")


def _latest_first() -> list[OrderBy]:
    return [F("measured_on").desc(), F("id").desc()]


def latest_per(
    measurements: QuerySet[Measurement], *partition: F | Expression
) -> QuerySet[Measurement]:
    """The most recent measurement per partition (by day, then by when it was logged)."""
    return measurements.annotate(
        rank=Window(RowNumber(), partition_by=list(partition), order_by=_latest_first())
    ).filter(rank=1)


def latest_levels(measurements: QuerySet[Measurement]) -> dict[int, Decimal]:
    """Each metric's level: its most recent measurement among `measurements`.

    A level holds until the next measurement, so a level "at" a moment is this over the
    measurements up to that moment: the charts and the reflection period both read it here.
    """
    return dict(latest_per(measurements, F("metric_id")).values_list("metric_id", "value"))


@dataclass
class PeriodNumbers:
    """Actions, minutes of effort and impact per metric over a stretch of time."""

    actions: int = 0
    minutes: int = 0
    impact: dict[int, Decimal] = field(default_factory=dict)  # metric id -> value


class Period(Protocol):
    """A stretch of time read in a group's own days, with the stretch just before it (a
    reflection period: groups.meetings.selectors.ReflectionPeriod)."""

    before: "Period"
    first_day: date
    last_day: date

    def holds(self, day: date, logged_at: datetime) -> bool: ...

    def up_to_end(self, day_field: str) -> Q: ...


@dataclass
class GroupPeriodNumbers:
    """A group's numbers over a period and the one before it, and each member's."""

    metrics: list[MetricDefinition]  # the group's active metrics
    now: PeriodNumbers
    before: PeriodNumbers
    members: dict[int, tuple[PeriodNumbers, PeriodNumbers]]


def _combined(metric: MetricDefinition, total: Decimal, count: int) -> Decimal:
    if metric.aggregation == MetricDefinition.Aggregation.AVERAGE:
        return (Decimal(total) / count).quantize(Decimal("0.01"))
    return Decimal(total)


def _days_around(
    periods: dict[Hashable, Period], group_of: dict[Hashable, int], day_field: str
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


def numbers_of_periods(
    periods: dict[Hashable, Period], group_of: dict[Hashable, int]
) -> dict[Hashable, GroupPeriodNumbers]:
    """The numbers of each period (and the one before it) of a group, by the caller's key (a
    meeting's id): the entries of every period are read once (three queries, two more per
    group with a level metric) and counted here by Period.holds()."""

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
        result[meeting_id] = GroupPeriodNumbers(metrics, group_now, group_before, members)
    return result
