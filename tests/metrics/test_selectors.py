"""Reads for impact: weekly series per aggregation, progress, trends, my week, the leaderboard."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine

from groups import services as group_services
from metrics import selectors, services
from metrics.models import Measurement, MetricDefinition
from tests.factories import UserFactory
from tests.metrics.support import (
    LAST_WEEK,
    THIS_WEEK,
    TODAY,
    bulk_log,
    join,
    log,
    started_days_ago,
)

pytestmark = pytest.mark.django_db


def measure(metric, value, day, *, user=None):
    """A measurement as set-up data (the service's own rules are tested elsewhere)."""
    user = user or metric.group.memberships.first().user
    return Measurement.objects.create(
        metric=metric, group=metric.group, user=user, value=Decimal(value), measured_on=day
    )


def series_of(group, metric, today=TODAY) -> selectors.MetricSeries:
    return next(s for s in selectors.group_impact(group, today=today) if s.metric == metric)


# group_impact -----------------------------------------------------------------------------


def test_a_sum_metric_adds_up_each_week_and_in_all(group, trees):
    measure(trees, 3, THIS_WEEK)
    measure(trees, 4, TODAY)
    measure(trees, 5, LAST_WEEK + timedelta(days=1))
    measure(trees, 2, THIS_WEEK - timedelta(weeks=3))
    measure(trees, 10, date(2024, 11, 1))  # before the 12 weeks shown

    series = series_of(group, trees)

    assert len(series.weeks) == 12
    assert series.weeks[0][0] == THIS_WEEK - timedelta(weeks=11)
    assert series.weeks[-1] == (THIS_WEEK, Decimal("7"))
    assert series.weeks[-2] == (LAST_WEEK, Decimal("5"))
    assert series.weeks[-4] == (THIS_WEEK - timedelta(weeks=3), Decimal("2"))
    assert sum(value for _week, value in series.weeks) == Decimal("14")
    assert series.period_total == Decimal("14")
    assert series.current == Decimal("24")  # the whole life of the metric
    assert (series.this_week, series.last_week, series.trend) == (7, 5, "better")
    assert series.progress == 24  # 24 of a target of 100


def test_an_average_metric_averages_each_week(group, litter):
    measure(litter, 2, THIS_WEEK)
    measure(litter, 5, TODAY)
    measure(litter, 6, LAST_WEEK)

    series = series_of(group, litter)

    assert series.weeks[-1] == (THIS_WEEK, Decimal("3.50"))
    assert series.weeks[-2] == (LAST_WEEK, Decimal("6.00"))
    assert series.current == Decimal("4.33")
    assert series.trend == "worse"


def test_a_latest_metric_shows_the_last_value_of_each_week_and_holds_it(group, roofs):
    measure(roofs, 5, date(2024, 10, 1))  # the level before the 12 weeks shown
    measure(roofs, 10, THIS_WEEK - timedelta(weeks=3))
    measure(roofs, 12, LAST_WEEK)
    measure(roofs, 11, LAST_WEEK + timedelta(days=3))
    # Logged last, but for an earlier day: not the latest value.
    measure(roofs, 30, LAST_WEEK + timedelta(days=1))

    series = series_of(group, roofs)

    values = [value for _week, value in series.weeks]
    assert values[:8] == [Decimal("5")] * 8
    assert values[8:] == [Decimal("10"), Decimal("10"), Decimal("11"), Decimal("11")]
    assert series.current == Decimal("11")
    assert series.progress == 27  # 11 of 40 roofs
    assert series.trend == "flat"  # nobody measured this week: the level holds


def test_a_latest_metric_measured_only_before_the_weeks_shown_still_has_its_level(group, roofs):
    measure(roofs, 8, date(2024, 6, 1))

    series = series_of(group, roofs)

    assert {value for _week, value in series.weeks} == {Decimal("8")}
    assert series.current == Decimal("8")


def test_progress_to_target_when_higher_is_better_is_capped_at_100(group, trees):
    assert series_of(group, trees).progress == 0

    measure(trees, 60, TODAY)
    assert series_of(group, trees).progress == 60

    measure(trees, 90, TODAY)
    assert series_of(group, trees).progress == 100


@pytest.fixture
def car_trips(group, moderator):
    return services.metric_define(
        actor=moderator,
        group=group,
        name="Car trips",
        unit="trips",
        direction=MetricDefinition.Direction.LOWER,
        aggregation=MetricDefinition.Aggregation.AVERAGE,
        target=50,
    )


def test_progress_when_lower_is_better_reaches_100_at_or_below_the_target(group, car_trips):
    # Nothing measured yet is no progress (not "already below the target").
    assert series_of(group, car_trips).progress == 0

    measure(car_trips, 100, LAST_WEEK)
    assert series_of(group, car_trips).progress == 50

    measure(car_trips, 0, TODAY)  # the average over its life is now 50
    assert series_of(group, car_trips).progress == 100


def test_a_metric_without_a_target_has_no_progress(group, litter):
    measure(litter, 3, TODAY)

    assert series_of(group, litter).progress is None


@pytest.mark.parametrize(
    "last, now, higher, lower",
    [(5, 8, "better", "worse"), (8, 5, "worse", "better"), (4, 4, "flat", "flat")],
)
def test_the_trend_compares_this_week_with_last_week_in_the_metrics_direction(
    group, trees, car_trips, last, now, higher, lower
):
    for metric in (trees, car_trips):
        measure(metric, last, LAST_WEEK)
        measure(metric, now, THIS_WEEK)

    assert series_of(group, trees).trend == higher
    assert series_of(group, car_trips).trend == lower


def test_archived_metrics_and_other_groups_measurements_are_left_out(
    group, other_group, moderator, trees, litter
):
    theirs = services.metric_define(
        actor=other_group.memberships.get(role="moderator").user,
        group=other_group,
        name="Trees planted",
        unit="trees",
    )
    measure(theirs, 99, TODAY)
    measure(trees, 1, TODAY)
    services.metric_archive(actor=moderator, metric=litter)

    series = selectors.group_impact(group, today=TODAY)

    assert [s.metric for s in series] == [trees]
    assert series[0].current == Decimal("1")


@pytest.mark.parametrize("actions", [5, 200])
def test_group_impact_takes_the_same_few_queries_with_little_or_much_data(
    group, moderator, member, trees, litter, roofs, django_assert_max_num_queries, actions
):
    bulk_log(group, [moderator, member], actions, metrics=[trees, litter, roofs], days=120)

    with django_assert_max_num_queries(5):
        series = selectors.group_impact(group, today=TODAY)

    assert len(series) == 3 and all(s.measured for s in series)


def test_effort_and_contributors_since_a_day(group, moderator, member):
    since = THIS_WEEK - timedelta(weeks=11)
    log(member, group, day=TODAY, effort=60)
    log(member, group, day=LAST_WEEK, effort=30)
    log(moderator, group, day=TODAY, effort=15)
    log(moderator, group, day=since - timedelta(days=1), effort=500)  # before: not counted

    effort = selectors.group_effort(group, since=since)
    contributors = selectors.group_contributors(group, since=since)

    assert (effort.actions, effort.minutes, effort.hours) == (3, 105, Decimal("1.8"))
    assert [(c["user_id"], c["actions"], c["minutes"]) for c in contributors] == [
        (member.pk, 2, 90),
        (moderator.pk, 1, 15),
    ]


# member_week ------------------------------------------------------------------------------


def test_my_week_counts_my_actions_effort_and_impact_against_last_week(
    group, member, other_member, trees, litter, roofs
):
    # Logged on TODAY, in a group that existed by then: the log takes impact only on days
    # since the group started and within the last year.
    started_days_ago(group, 2000)
    with time_machine.travel(datetime.combine(TODAY, time(12), tzinfo=UTC), tick=False):
        log(member, group, day=THIS_WEEK, effort=30, impacts=[(trees, 3), (litter, 2), (roofs, 12)])
        log(member, group, day=TODAY, effort=45, impacts=[(trees, 4), (litter, 4), (roofs, 14)])
        log(member, group, day=LAST_WEEK + timedelta(days=6), effort=20, impacts=[(trees, 5)])
        log(member, group, day=LAST_WEEK - timedelta(days=1), effort=90, impacts=[(trees, 50)])
        log(other_member, group, day=TODAY, effort=120, impacts=[(trees, 70)])

    week = selectors.member_week(member, today=TODAY)

    assert (week.this_week.actions, week.this_week.minutes) == (2, 75)
    assert (week.last_week.actions, week.last_week.minutes) == (1, 20)
    rows = {metric.name: (now, before) for metric, now, before in week.rows()}
    assert rows == {
        "Trees planted": (Decimal("7"), Decimal("5")),
        "Litter removed": (Decimal("3.00"), Decimal("0")),  # an average, not a sum
        "Roofs with solar": (Decimal("14"), Decimal("0")),  # the last level, not 12 + 14
    }


def test_my_week_is_empty_for_someone_who_logged_nothing(group, member):
    week = selectors.member_week(member, today=TODAY)

    assert (week.this_week.actions, week.last_week.minutes, week.rows()) == (0, 0, [])


@pytest.mark.parametrize("actions", [5, 200])
def test_my_week_takes_the_same_few_queries_with_little_or_much_data(
    group, member, trees, roofs, django_assert_max_num_queries, actions
):
    bulk_log(group, [member], actions, metrics=[trees, roofs], days=14)

    with django_assert_max_num_queries(4):
        week = selectors.member_week(member, today=TODAY)

    assert week.this_week.actions + week.last_week.actions > 0


# network_leaderboard ----------------------------------------------------------------------

START = TODAY - timedelta(weeks=4)  # the 4 weeks ranked: (START, TODAY]
BEFORE = START - timedelta(days=7)  # a day in the 4 weeks before


@pytest.fixture
def make_group(network, organizer):
    """make_group(name, size): a group in the network with a moderator and size - 1 members."""

    def make(name: str, size: int = 2):
        boss = UserFactory()
        group_services.network_add_person(network=network, user=boss)
        made = group_services.group_create(
            organizer=organizer, network=network, name=name, purpose="Act.", moderator=boss
        )
        for _ in range(size - 1):
            join(made)
        return made

    return make


def shared_metric(network, organizer, *, direction="higher", aggregation="sum"):
    return services.network_metric_define(
        actor=organizer,
        network=network,
        name=f"Shared {direction} {aggregation}",
        unit="people",
        direction=direction,
        aggregation=aggregation,
    )


def adopt(group, shared):
    boss = group.memberships.get(role="moderator").user
    return services.metric_adopt(actor=boss, group=group, network_metric=shared)


def test_the_leaderboard_puts_the_most_improved_group_first(network, organizer, make_group):
    shared = shared_metric(network, organizer)
    steady, climber, newcomer, shy = (
        make_group(name) for name in ["Steady", "Climber", "Newcomer", "Shy"]
    )
    for group, previous, current in [
        (steady, 10, 15),
        (climber, 10, 30),
        (newcomer, None, 50),
        (shy, 1, 100),
    ]:
        metric = adopt(group, shared)
        if previous is not None:
            measure(metric, previous, BEFORE)
        measure(metric, current, TODAY - timedelta(days=3))
    services.group_ranking_set(
        actor=shy.memberships.get(role="moderator").user, group=shy, ranked=False
    )

    rows = selectors.network_leaderboard(shared, today=TODAY)

    assert [row.group for row in rows] == [climber, steady, newcomer]
    assert [row.improvement for row in rows] == [200, 50, None]
    assert [row.total for row in rows] == [Decimal("30.00"), Decimal("15.00"), Decimal("50.00")]


def test_the_leaderboard_shows_impact_per_member_and_per_hour_of_effort(
    network, organizer, make_group
):
    shared = shared_metric(network, organizer)
    crew = make_group("Crew", size=4)
    metric = adopt(crew, shared)
    someone = crew.memberships.first().user
    measure(metric, 20, TODAY)
    measure(metric, 10, START + timedelta(days=1))
    measure(metric, 500, START)  # the last day of the period before
    log(someone, crew, day=TODAY, effort=60)
    log(someone, crew, day=START + timedelta(days=1), effort=30)
    log(someone, crew, day=START, effort=300)  # effort before the period is not counted

    [row] = selectors.network_leaderboard(shared, today=TODAY)

    assert (row.total, row.previous, row.members, row.minutes) == (
        Decimal("30.00"),
        Decimal("500.00"),
        4,
        90,
    )
    assert row.per_member == Decimal("7.50")
    assert row.per_hour == Decimal("20.00")
    assert row.improvement == -94


def test_groups_improving_alike_are_ordered_by_impact_per_hour(network, organizer, make_group):
    shared = shared_metric(network, organizer)
    slow, quick = make_group("Slow"), make_group("Quick")
    for group, effort in [(slow, 240), (quick, 30)]:
        metric = adopt(group, shared)
        measure(metric, 10, BEFORE)
        measure(metric, 20, TODAY)
        log(group.memberships.first().user, group, day=TODAY, effort=effort)

    rows = selectors.network_leaderboard(shared, today=TODAY)

    assert [row.group for row in rows] == [quick, slow]
    assert [row.per_hour for row in rows] == [Decimal("40.00"), Decimal("5.00")]


def test_when_lower_is_better_going_down_ranks_first(network, organizer, make_group):
    shared = shared_metric(network, organizer, direction="lower")
    worse, better = make_group("Driving more"), make_group("Driving less")
    for group, previous, current in [(worse, 10, 20), (better, 10, 5)]:
        metric = adopt(group, shared)
        measure(metric, previous, BEFORE)
        measure(metric, current, TODAY)

    rows = selectors.network_leaderboard(shared, today=TODAY)

    assert [(row.group, row.improvement) for row in rows] == [(better, -50), (worse, 100)]


def test_a_level_metric_compares_averages_not_sums(network, organizer, make_group):
    shared = shared_metric(network, organizer, aggregation="latest")
    crew = make_group("Crew")
    metric = adopt(crew, shared)
    measure(metric, 10, TODAY - timedelta(days=10))
    measure(metric, 20, TODAY)

    [row] = selectors.network_leaderboard(shared, today=TODAY)

    assert row.total == Decimal("15.00")


def test_a_group_that_archived_the_shared_metric_is_not_ranked(network, organizer, make_group):
    shared = shared_metric(network, organizer)
    crew = make_group("Crew")
    metric = adopt(crew, shared)
    services.metric_archive(actor=crew.memberships.get(role="moderator").user, metric=metric)

    assert selectors.network_leaderboard(shared, today=TODAY) == []


@pytest.mark.parametrize("actions", [5, 200])
def test_the_leaderboard_takes_the_same_few_queries_with_little_or_much_data(
    network, organizer, make_group, django_assert_max_num_queries, actions
):
    shared = shared_metric(network, organizer)
    for name in ["One", "Two", "Three"]:
        group = make_group(name, size=3)
        people = [m.user for m in group.memberships.all()]
        bulk_log(group, people, actions, metrics=[adopt(group, shared)], days=56)

    with django_assert_max_num_queries(4):
        rows = selectors.network_leaderboard(shared, today=TODAY)

    assert len(rows) == 3 and all(row.total > 0 for row in rows)
