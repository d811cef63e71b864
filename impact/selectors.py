"""Reads for accounts and notifications."""

from django.db.models import QuerySet

from impact.models import Notification, User


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    """A person's in-app notifications, newest first."""
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)


def notifications_unread_count(*, user: User) -> int:
    return notifications_for_user(user=user).filter(read_at__isnull=True).count()


def email_kinds_enabled(*, user: User) -> set[str]:
    from impact.kinds import KINDS

    off = set(user.email_opt_outs.values_list("kind", flat=True))
    return {key for key in KINDS if key not in off}
