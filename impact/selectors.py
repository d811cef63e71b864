"""Reads for accounts and notifications."""

from django.db.models import Count, QuerySet

from impact.compiled import per_person
from impact.models import Notification, User


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    """A person's in-app notifications, newest first."""
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)


def notifications_unread_count(*, user: User) -> int:
    """The header's badge, on every page."""
    counted = _unread(user)
    return counted[0][0] if counted else 0


def _unread_query(user: User) -> QuerySet:
    # One row (the person's count) or none: a count as a queryset, so it can be compiled once.
    unread = notifications_for_user(user=user).filter(read_at__isnull=True).order_by()
    return unread.values("recipient_id").annotate(n=Count("pk")).values_list("n")


_unread = per_person(_unread_query)


def email_kinds_enabled(*, user: User) -> set[str]:
    from impact.kinds import KINDS

    off = set(user.email_opt_outs.values_list("kind", flat=True))
    return {key for key in KINDS if key not in off}
