"""A person's own data: everything they wrote and everything about them, table by table."""

from django.db.models import Q
from django.utils.translation import gettext as _

from groups.meetings.models import MeetingResponse, NextAction, Reflection
from groups.models import AuditEvent, JoinRequest, Membership, NetworkMembership
from impact.models import EmailOptOut, Notification, User
from metrics.exports import columns
from metrics.exports.archive import Table
from metrics.exports.columns import fields, without
from metrics.models import Action, Measurement
from narratives.models import Answer, HelpRequest, HelpResponse, Initiative, Narrative, Question


def personal_tables(user: User) -> list[Table]:
    """The tables of "Download my data", in the order the zip lists them. Each holds the
    person's own rows, so the columns that would name them (their id and name) are left out."""
    return [
        Table(
            "profile",
            _("Your profile: names, email, time zone and language."),
            User.objects.filter(pk=user.pk),
            {
                **fields("id", "username", "display_name", "first_name", "last_name", "email"),
                **fields("time_zone", "language", "date_joined", "last_login"),
            },
        ),
        Table(
            "network_memberships",
            _("The networks you belong to and your role in each."),
            NetworkMembership.objects.filter(user=user),
            without(columns.NETWORK_MEMBERSHIPS, "user_id", "name"),
        ),
        Table(
            "memberships",
            _("Your places in groups, now and before: role, why you joined, when you left."),
            Membership.objects.filter(user=user),
            without(columns.MEMBERSHIPS, "user_id", "name"),
        ),
        Table(
            "join_requests",
            _("Your requests to join groups and what became of them."),
            JoinRequest.objects.filter(user=user),
            {
                **fields("id", "group_id"),
                "group": "group__name",
                **fields("statement", "status", "created_at", "waitlisted_at", "decided_at"),
            },
        ),
        Table(
            "membership_history",
            _(
                "The audit log's lines about you: joining, leaving, removals and role changes, "
                "and the changes you made."
            ),
            AuditEvent.objects.filter(Q(actor=user) | Q(person=user)),
            {
                **fields("id", "at"),
                "network": "network__name",
                "group_id": "group_id",
                "group": "group__name",
                **fields("verb", "actor_id", "target", "details"),
            },
            order=("at", "pk"),
        ),
        Table(
            "actions",
            _("The actions you logged."),
            Action.objects.filter(user=user),
            without(columns.ACTIONS, "user_id", "name"),
            order=("happened_on", "pk"),
        ),
        Table(
            "measurements",
            _("The measurements you logged, with their metric and unit."),
            Measurement.objects.filter(user=user),
            without(columns.MEASUREMENTS, "user_id", "name"),
            order=("measured_on", "pk"),
        ),
        Table(
            "reflections",
            _("Your reflections, with your pulse answers and whether you shared them by name."),
            Reflection.objects.filter(user=user),
            without(columns.REFLECTIONS, "user_id", "name"),
        ),
        Table(
            "help_requests",
            _("The help you asked for."),
            HelpRequest.objects.filter(asked_by=user),
            without(columns.HELP_REQUESTS, "asked_by_id", "asked_by"),
        ),
        Table(
            "help_responses",
            _("The help you offered others."),
            HelpResponse.objects.filter(author=user),
            without(columns.HELP_RESPONSES, "author_id", "author"),
        ),
        Table(
            "questions",
            _("The questions you asked."),
            Question.objects.filter(asked_by=user),
            without(columns.QUESTIONS, "asked_by_id", "asked_by"),
        ),
        Table(
            "answers",
            _("The answers you gave, with the question each answers."),
            Answer.objects.filter(author=user),
            without(columns.ANSWERS, "author_id", "author"),
        ),
        Table(
            "next_actions",
            _("The next actions you took on in reflection sessions."),
            NextAction.objects.filter(owner=user),
            without(columns.NEXT_ACTIONS, "owner_id", "owner"),
        ),
        Table(
            "rsvps",
            _("Whether you said you would come to each meeting, and whether you came."),
            MeetingResponse.objects.filter(user=user),
            without(columns.RSVPS, "user_id", "name"),
        ),
        Table(
            "narratives",
            _("The narratives you wrote."),
            Narrative.objects.filter(created_by=user),
            columns.NARRATIVES,
        ),
        Table(
            "initiatives",
            _("The initiatives you proposed."),
            Initiative.objects.filter(created_by=user),
            columns.INITIATIVES,
        ),
        Table(
            "notifications",
            _("The notifications and emails written to you."),
            Notification.objects.filter(recipient=user),
            {
                **fields("id", "kind", "channel", "title", "body", "url"),
                **fields("status", "created_at", "sent_at", "read_at"),
            },
        ),
        Table(
            "email_opt_outs",
            _("The kinds of email you chose not to receive."),
            EmailOptOut.objects.filter(user=user),
            fields("kind", "created_at"),
        ),
    ]
