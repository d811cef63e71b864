"""Reads for impact: weekly series per metric, progress to target, effort, contributions."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, F, Max, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek

from groups.models import Group, Membership
from impact.models import User
from metrics.models import Action, Measurement, MetricDefinition
from metrics.periods import ZERO, PeriodNumbers, latest_levels, latest_per


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class MetricSeries:
    metric: MetricDefinition
    weeks: list[tuple[date, Decimal]] = field(default_factory=list)
    period_total: Decimal = ZERO  # summed over the weeks shown
    current: Decimal = ZERO  # the metric's value over its whole life (per its aggregation)
    this_week: Decimal = ZERO
    last_week: Decimal = ZERO
    measured: bool = False  # anything logged at all

    @property
    def progress(self) -> int | None:
        target = self.metric.target
        if not target:
            return None
        if not self.measured:
            # Nothing measured is no progress, also when lower is better.
            return 0
        if self.metric.direction == MetricDefinition.Direction.LOWER:
            return max(0, min(100, int(target / self.current * 100))) if self.current > 0 else 100
        return max(0, min(100, int(self.current / target * 100)))

    @property
    def trend(self) -> str:
        if self.this_week == self.last_week:
            return "flat"
        better_up = self.metric.direction == MetricDefinition.Direction.HIGHER
        return "better" if (self.this_week > self.last_week) == better_up else "worse"


def group_impact(group: Group, *, today: date, weeks: int = 12) -> list[MetricSeries]:
    """One series per active metric over the last `weeks` weeks: at most five queries."""
    metrics = list(MetricDefinition.objects.filter(group=group, archived_at__isnull=True))
    first_week = week_start(today) - timedelta(weeks=weeks - 1)
    measurements = Measurement.objects.filter(group=group, metric__in=metrics)
    rows = (
        measurements.filter(measured_on__gte=first_week)
        .annotate(week=TruncWeek("measured_on"))
        .values("metric_id", "week")
        .annotate(total=Sum("value"), average=Avg("value"))
    )
    by_metric: dict[int, dict[date, dict]] = {}
    for row in rows:
        by_metric.setdefault(row["metric_id"], {})[_as_date(row["week"])] = row
    totals = {
        row["metric_id"]: row
        for row in measurements.values("metric_id").annotate(
            total=Sum("value"), average=Avg("value")
        )
    }
    # A level ("latest value") is the last value measured in a week, and it holds until the
    # next measurement: a week nobody measured the roofs still has the roofs of the week before.
    levels = [m for m in metrics if m.aggregation == MetricDefinition.Aggregation.LATEST]
    level_in_week: dict[int, dict[date, Decimal]] = {}
    level_before: dict[int, Decimal] = {}
    if levels:
        for metric_id, week, level in (
            latest_per(
                measurements.filter(metric__in=levels, measured_on__gte=first_week),
                F("metric_id"),
                TruncWeek("measured_on"),
            )
            .annotate(week=TruncWeek("measured_on"))
            .values_list("metric_id", "week", "value")
        ):
            level_in_week.setdefault(metric_id, {})[_as_date(week)] = level
        level_before = latest_levels(
            measurements.filter(metric__in=levels, measured_on__lt=first_week)
        )
    shown = [first_week + timedelta(weeks=n) for n in range(weeks)]
    this_week, last_week = week_start(today), week_start(today) - timedelta(weeks=1)
    series = []
    for metric in metrics:
        weekly = by_metric.get(metric.pk, {})
        item = MetricSeries(metric, measured=metric.pk in totals)
        if metric.aggregation == MetricDefinition.Aggregation.LATEST:
            measured_levels = level_in_week.get(metric.pk, {})
            level = level_before.get(metric.pk, ZERO)
            values = {}
            for week in shown:
                level = values[week] = measured_levels.get(week, level)
            latest_week = max(measured_levels, default=None)
            item.current = (
                measured_levels[latest_week]
                if latest_week is not None
                else level_before.get(metric.pk, ZERO)
            )
        else:
            values = {week: _aggregate(metric, weekly.get(week)) for week in shown}
            item.current = _aggregate(metric, totals.get(metric.pk))
        item.weeks = list(values.items())
        item.period_total = sum(
            (Decimal(row["total"]) for week, row in weekly.items() if week in values), ZERO
        )
        item.this_week, item.last_week = values.get(this_week, ZERO), values.get(last_week, ZERO)
        series.append(item)
    return series


def _aggregate(metric: MetricDefinition, row: dict | None) -> Decimal:
    """A sum or an average from an aggregate row (nothing measured: zero)."""
    if row is None:
        return ZERO
    if metric.aggregation == MetricDefinition.Aggregation.AVERAGE:
        return Decimal(row["average"]).quantize(Decimal("0.01"))
    return Decimal(row["total"])


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


def recent_actions(group: Group, *, limit: int = 10) -> QuerySet[Action]:
    return (
        Action.objects.filter(group=group)
        .select_related("user")
        # One query for measurements with their metric, whatever the data: a nested
        # prefetch would skip its second query when there are no measurements.
        .prefetch_related(
            Prefetch("measurements", queryset=Measurement.objects.select_related("metric"))
        )
        .order_by("-happened_on", "-id")[:limit]
    )


@dataclass
class MyWeek:
    this_week: PeriodNumbers
    last_week: PeriodNumbers
    metrics: list[MetricDefinition]

    def rows(self) -> list[tuple[MetricDefinition, Decimal, Decimal]]:
        return [
            (m, self.this_week.impact.get(m.pk, ZERO), self.last_week.impact.get(m.pk, ZERO))
            for m in self.metrics
        ]


def member_week(user: User, *, today: date) -> MyWeek:
    """A member's own week in numbers against the week before: three or four queries."""
    this_start = week_start(today)
    last_start = this_start - timedelta(weeks=1)
    weeks = {this_start: PeriodNumbers(), last_start: PeriodNumbers()}
    for row in (
        Action.objects.filter(user=user, happened_on__gte=last_start, happened_on__lte=today)
        .annotate(week=TruncWeek("happened_on"))
        .values("week")
        .annotate(actions=Count("id"), minutes=Sum("effort_minutes"))
    ):
        numbers = weeks[_as_date(row["week"])]
        numbers.actions, numbers.minutes = row["actions"], row["minutes"] or 0
    mine = Measurement.objects.filter(
        user=user, measured_on__gte=last_start, measured_on__lte=today
    )
    metric_ids, level_ids = set(), set()
    for row in (
        mine.annotate(week=TruncWeek("measured_on"))
        .values("week", "metric_id", "metric__aggregation")
        .annotate(total=Sum("value"), average=Avg("value"))
    ):
        aggregation = row["metric__aggregation"]
        value = (
            Decimal(row["average"]).quantize(Decimal("0.01"))
            if aggregation == MetricDefinition.Aggregation.AVERAGE
            else row["total"]
        )
        weeks[_as_date(row["week"])].impact[row["metric_id"]] = value
        metric_ids.add(row["metric_id"])
        if aggregation == MetricDefinition.Aggregation.LATEST:
            level_ids.add(row["metric_id"])
    if level_ids:
        # A level (roofs with solar) is the last value measured that week, not the sum.
        for metric_id, week, level in (
            latest_per(
                mine.filter(metric_id__in=level_ids), F("metric_id"), TruncWeek("measured_on")
            )
            .annotate(week=TruncWeek("measured_on"))
            .values_list("metric_id", "week", "value")
        ):
            weeks[_as_date(week)].impact[metric_id] = level
    metrics = (
        list(MetricDefinition.objects.filter(pk__in=metric_ids).select_related("group"))
        if metric_ids
        else []
    )
    return MyWeek(this_week=weeks[this_start], last_week=weeks[last_start], metrics=metrics)


def _as_date(value: date | datetime) -> date:
    return value.date() if hasattr(value, "date") else value


@dataclass
class LeaderboardRow:
    group: Group
    total: Decimal
    previous: Decimal
    members: int
    minutes: int

    @property
    def per_member(self) -> Decimal:
        return (self.total / self.members).quantize(Decimal("0.01")) if self.members else ZERO

    @property
    def per_hour(self) -> Decimal:
        return (self.total * 60 / self.minutes).quantize(Decimal("0.01")) if self.minutes else ZERO

    @property
    def improvement(self) -> int | None:
        """Percent change against the period before (None when there was nothing before)."""
        if not self.previous:
            return None
        return int((self.total - self.previous) / self.previous * 100)


def leaderboard_groups(network_metric: MetricDefinition) -> list[Group]:
    """The groups compared on a shared metric: those measuring it that agree to be ranked."""
    return list(
        Group.objects.filter(metrics__source=network_metric, metrics__archived_at__isnull=True)
        .exclude(ranking__ranked=False)
        .distinct()
    )


def leaderboard_rows(
    network_metric: MetricDefinition, groups: list[Group], *, today: date, weeks: int = 4
) -> list[LeaderboardRow]:
    """Each group's numbers on one shared metric over the last `weeks` weeks against the
    `weeks` before: three queries for any number of groups (unordered)."""

    start = today - timedelta(weeks=weeks)
    before = start - timedelta(weeks=weeks)
    # A sum compares totals; a level (latest value or average) compares averages.
    combine = Sum if network_metric.aggregation == MetricDefinition.Aggregation.SUM else Avg
    ids = [g.pk for g in groups]
    sums = {
        row["group_id"]: row
        for row in Measurement.objects.filter(
            metric__source=network_metric,
            group_id__in=ids,
            measured_on__gt=before,
            measured_on__lte=today,
        )
        .values("group_id")
        .annotate(
            total=combine("value", filter=Q(measured_on__gt=start)),
            previous=combine("value", filter=Q(measured_on__lte=start)),
        )
    }
    minutes = dict(
        Action.objects.filter(group_id__in=ids, happened_on__gt=start, happened_on__lte=today)
        .values("group_id")
        .annotate(minutes=Sum("effort_minutes"))
        .values_list("group_id", "minutes")
    )
    members = dict(
        Membership.objects.active()
        .filter(group_id__in=ids)
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    return [
        LeaderboardRow(
            group=group,
            total=Decimal((sums.get(group.pk) or {}).get("total") or 0).quantize(Decimal("0.01")),
            previous=Decimal((sums.get(group.pk) or {}).get("previous") or 0).quantize(
                Decimal("0.01")
            ),
            members=members.get(group.pk, 0),
            minutes=minutes.get(group.pk, 0),
        )
        for group in groups
    ]


def leaderboard_order(
    network_metric: MetricDefinition,
) -> Callable[[LeaderboardRow], tuple[bool, int, float, str, int]]:
    """The sort key of leaderboard rows. Friendly competition: most improved first, then
    impact per hour of effort. When lower is better (kWh used), improving means going down."""
    better = 1 if network_metric.direction == MetricDefinition.Direction.HIGHER else -1
    return lambda r: (
        r.improvement is None,
        -better * (r.improvement or 0),
        -better * float(r.per_hour),
        r.group.name,
        r.group.pk,
    )


def network_leaderboard(
    network_metric: MetricDefinition, *, today: date, weeks: int = 4
) -> list[LeaderboardRow]:
    """Groups compared on one shared metric over the last `weeks` weeks: four queries in all."""
    groups = leaderboard_groups(network_metric)
    rows = leaderboard_rows(network_metric, groups, today=today, weeks=weeks)
    return sorted(rows, key=leaderboard_order(network_metric))


def last_action_days(group_ids: list[int]) -> dict[tuple[int, int], date]:
    """The day each person last acted in each of these groups, by (group id, user id): one
    query (who has gone quiet, for the moderators' digest)."""
    return {
        (row["group_id"], row["user_id"]): row["last"]
        for row in Action.objects.filter(group_id__in=group_ids)
        .values("group_id", "user_id")
        .annotate(last=Max("happened_on"))
        .order_by()
    }
