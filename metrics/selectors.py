"""Reads for impact: weekly series per metric, progress to target, effort, contributions."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Max, Sum
from django.db.models.functions import TruncWeek

from groups.models import Group
from metrics.models import Action, Measurement, MetricDefinition

ZERO = Decimal("0")


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class MetricSeries:
    metric: MetricDefinition
    weeks: list[tuple[date, Decimal]] = field(default_factory=list)
    current: Decimal = ZERO  # the metric's value over its whole life (per its aggregation)
    this_week: Decimal = ZERO
    last_week: Decimal = ZERO

    @property
    def progress(self) -> int | None:
        target = self.metric.target
        if not target:
            return None
        if self.metric.direction == MetricDefinition.Direction.LOWER:
            return max(0, min(100, int(target / self.current * 100))) if self.current else 100
        return max(0, min(100, int(self.current / target * 100)))

    @property
    def trend(self) -> str:
        if self.this_week == self.last_week:
            return "flat"
        better_up = self.metric.direction == MetricDefinition.Direction.HIGHER
        return "better" if (self.this_week > self.last_week) == better_up else "worse"


def group_impact(group: Group, *, today: date, weeks: int = 12) -> list[MetricSeries]:
    """One series per active metric over the last `weeks` weeks: three queries, whatever the data."""
    metrics = list(MetricDefinition.objects.filter(group=group, archived_at__isnull=True))
    first_week = week_start(today) - timedelta(weeks=weeks - 1)
    rows = (
        Measurement.objects.filter(group=group, metric__in=metrics, measured_on__gte=first_week)
        .annotate(week=TruncWeek("measured_on"))
        .values("metric_id", "week")
        .annotate(total=Sum("value"), average=Avg("value"), last_day=Max("measured_on"))
    )
    by_metric: dict[int, dict[date, dict]] = {}
    for row in rows:
        week = row["week"].date() if hasattr(row["week"], "date") else row["week"]
        by_metric.setdefault(row["metric_id"], {})[week] = row
    totals = {
        row["metric_id"]: row
        for row in Measurement.objects.filter(group=group, metric__in=metrics)
        .values("metric_id")
        .annotate(total=Sum("value"), average=Avg("value"), last_id=Max("id"))
    }
    latest_values = dict(
        Measurement.objects.filter(pk__in=[row["last_id"] for row in totals.values()]).values_list(
            "metric_id", "value"
        )
    )
    series = []
    this_week, last_week = week_start(today), week_start(today) - timedelta(weeks=1)
    for metric in metrics:
        weekly = by_metric.get(metric.pk, {})

        def value(row, metric=metric):
            if row is None:
                return ZERO
            if metric.aggregation == MetricDefinition.Aggregation.AVERAGE:
                return Decimal(row["average"]).quantize(Decimal("0.01"))
            return Decimal(row["total"])

        item = MetricSeries(metric)
        for n in range(weeks):
            week = first_week + timedelta(weeks=n)
            item.weeks.append((week, value(weekly.get(week))))
        item.this_week, item.last_week = value(weekly.get(this_week)), value(weekly.get(last_week))
        total = totals.get(metric.pk)
        if total is not None:
            if metric.aggregation == MetricDefinition.Aggregation.LATEST:
                item.current = Decimal(latest_values.get(metric.pk, ZERO))
            else:
                item.current = value(total)
        series.append(item)
    return series


@dataclass
class EffortSummary:
    actions: int
    minutes: int

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.1"))


def group_effort(group: Group, *, since: date) -> EffortSummary:
    row = Action.objects.filter(group=group, happened_on__gte=since).aggregate(
        actions=Count("id"), minutes=Sum("effort_minutes")
    )
    return EffortSummary(row["actions"] or 0, row["minutes"] or 0)


def group_contributors(group: Group, *, since: date) -> list[dict]:
    """Who did what since a day: actions and effort per person, most effort first."""
    return list(
        Action.objects.filter(group=group, happened_on__gte=since)
        .values("user_id", "user__display_name", "user__username")
        .annotate(actions=Count("id"), minutes=Sum("effort_minutes"))
        .order_by("-minutes")
    )


def recent_actions(group: Group, *, limit: int = 10):
    return (
        Action.objects.filter(group=group)
        .select_related("user")
        .prefetch_related("measurements__metric")
        .order_by("-happened_on", "-id")[:limit]
    )
