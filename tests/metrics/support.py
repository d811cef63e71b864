"""Helpers the metrics tests share: fixed days, logging through the service, bulk data."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from groups import services as group_services
from groups.models import Group
from metrics import services
from metrics.models import Action, Measurement
from tests.factories import UserFactory

STATEMENT = "I want to help our river come back to life, every week."

# A Wednesday well in the past, so every day around it may be logged.
TODAY = date(2025, 3, 12)
THIS_WEEK = date(2025, 3, 10)
LAST_WEEK = THIS_WEEK - timedelta(weeks=1)


def join(group, **user_fields):
    user = UserFactory(**user_fields)
    group_services.group_join(user=user, group=group, statement=STATEMENT)
    return user


def today_for(user) -> date:
    return timezone.localdate(timezone=user.zone)


def started_days_ago(group, days: int):
    """Pretend the group was created `days` ago (the log refuses days before it started)."""
    group.created_at = timezone.now() - timedelta(days=days)
    Group.objects.filter(pk=group.pk).update(created_at=group.created_at)
    return group


def log(user, group, *, day=None, effort=30, description="Planted oaks", impacts=(), seat=None):
    """Log an action through the service (the way members do)."""
    return services.action_log(
        user=user,
        group=group,
        description=description,
        happened_on=day or today_for(user),
        effort_minutes=effort,
        impacts=[(metric.pk, value) for metric, value in impacts],
        seat=seat,
    )


def bulk_log(group, users, count, *, metrics=(), start=None, days=60):
    """`count` actions with one measurement per metric, spread over `days`: fast set-up."""
    start = start or TODAY
    actions = Action.objects.bulk_create(
        [
            Action(
                group=group,
                user=users[n % len(users)],
                description=f"Action {n}",
                happened_on=start - timedelta(days=n % days),
                effort_minutes=15 + n % 60,
            )
            for n in range(count)
        ]
    )
    Measurement.objects.bulk_create(
        [
            Measurement(
                metric=metric,
                group=group,
                user=action.user,
                action=action,
                value=Decimal(1 + n % 7),
                measured_on=action.happened_on,
            )
            for n, action in enumerate(actions)
            for metric in metrics
        ]
    )
    return actions
