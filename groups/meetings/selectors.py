"""Reads for meetings, meeting mode and the pulse."""

from django.db.models import Avg, Count, QuerySet
from django.utils import timezone

from groups.meetings.models import Meeting, NextAction, Reflection, Session
from groups.models import Group, Membership

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
    previous = (
        Session.objects.filter(
            group=group, closed_at__isnull=False, meeting__starts_at__lt=meeting.starts_at
        )
        .order_by("-meeting__starts_at")
        .first()
    )
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
    }
