"""`seed_demo` gives the charts a story: metrics and months of actions, created once."""

import datetime as dt
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Max, Min

from groups.models import Membership
from metrics.models import Action, Measurement, MetricChange, MetricDefinition
from metrics.selectors import group_impact, network_leaderboard

pytestmark = pytest.mark.django_db

# Just after midnight UTC: the demo moderator (New York) is still on the day before.
JUST_AFTER_MIDNIGHT_UTC = dt.datetime(2026, 3, 10, 2, 30, tzinfo=dt.UTC)


def counts() -> tuple[int, int, int, int]:
    return (
        MetricDefinition.objects.count(),
        MetricChange.objects.count(),
        Action.objects.count(),
        Measurement.objects.count(),
    )


def test_seed_demo_creates_metrics_and_months_of_actions_once(settings):
    settings.DEBUG = True

    with time_machine.travel(JUST_AFTER_MIDNIGHT_UTC):
        call_command("seed_demo")
        first = counts()
        call_command("seed_demo")
        second = counts()

    assert second == first
    group_metrics = set(
        MetricDefinition.objects.filter(group__isnull=False).values_list("name", flat=True)
    )
    assert group_metrics == {
        "Trees planted",
        "Litter removed",
        "Roofs with solar",
        "Neighbours involved",
    }
    shared = MetricDefinition.objects.get(network__isnull=False)
    assert MetricDefinition.objects.filter(source=shared).count() == 2
    days = Action.objects.aggregate(first=Min("happened_on"), last=Max("happened_on"))
    assert days["last"] - days["first"] >= timedelta(days=80)
    assert Action.objects.count() > 100
    assert Measurement.objects.count() > Action.objects.count()
    for action in Action.objects.select_related("user"):
        local_today = JUST_AFTER_MIDNIGHT_UTC.astimezone(action.user.zone).date()
        assert action.happened_on <= local_today, "nobody logs a day still to come"

    # The charts have something to show: every metric has values in recent weeks.
    riverbank = MetricDefinition.objects.get(name="Trees planted").group
    today = JUST_AFTER_MIDNIGHT_UTC.date()
    series = group_impact(riverbank, today=today)
    assert all(s.measured and s.current > 0 for s in series)
    assert len(network_leaderboard(shared, today=today)) == 2


def test_demo_actions_of_people_west_of_utc_are_never_in_their_future():
    from groups.demo import seed_groups
    from impact.demo import seed_users
    from impact.models import User
    from metrics.demo import seed_metrics

    los_angeles_today = JUST_AFTER_MIDNIGHT_UTC.astimezone(ZoneInfo("America/Los_Angeles")).date()
    with time_machine.travel(JUST_AFTER_MIDNIGHT_UTC):
        users = seed_users()
        seed_groups(users)
        User.objects.update(time_zone="America/Los_Angeles")
        users = {name: User.objects.get(pk=user.pk) for name, user in users.items()}
        last_days = set()
        # Short seedings (the random choices are fixed) so that the last day gets actions.
        for days in range(6):
            Action.objects.all().delete()
            seed_metrics(users, days=days)
            last_days.add(Action.objects.aggregate(last=Max("happened_on"))["last"])

    assert last_days - {None} == {los_angeles_today}


def test_demo_actions_and_measurements_come_after_their_authors_joined(settings):
    settings.DEBUG = True
    call_command("seed_demo")

    joined = {
        (seat.group_id, seat.user_id): seat.joined_at
        for seat in Membership.objects.select_related("user")
    }
    zones = {action.user_id: action.user.zone for action in Action.objects.select_related("user")}
    entries = [(a.group_id, a.user_id, a.happened_on) for a in Action.objects.all()] + [
        (m.group_id, m.user_id, m.measured_on) for m in Measurement.objects.all()
    ]

    assert len(entries) > 100
    for group_id, user_id, day in entries:
        # Joined on an earlier day than the one they logged, in their own time zone.
        assert joined[group_id, user_id].astimezone(zones[user_id]).date() < day
