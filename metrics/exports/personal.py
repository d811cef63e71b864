"""A person's own data: everything they wrote and everything about them, table by table."""

from django.db.models import Q
from django.utils.translation import gettext as _

from groups.meetings.models import MeetingResponse, NextAction, Reflection
from groups.models import AuditEvent, JoinRequest, Membership, NetworkMembership
from impact.models import EmailOptOut, Notification, User
from metrics.exports.archive import Table
from metrics.models import Action, Measurement
from narratives.models import Answer, HelpRequest, HelpResponse, Initiative, Narrative, Question

# Audit events about a person's membership name them by their public name (AuditEvent.target).
MEMBERSHIP_VERBS = ("member.joined", "member.left", "member.removed", "role.changed")


def personal_tables(user: User) -> list[Table]:
    """The tables of "Download my data", in the order the zip lists them."""
    group_ids = Membership.objects.filter(user=user).values("group_id")
    return [
        Table(
            "profile",
            _("Your profile: names, email, time zone and language."),
            User.objects.filter(pk=user.pk),
            {
                "id": "id",
                "username": "username",
                "display_name": "display_name",
                "first_name": "first_name",
                "last_name": "last_name",
                "email": "email",
                "time_zone": "time_zone",
                "language": "language",
                "date_joined": "date_joined",
                "last_login": "last_login",
            },
        ),
        Table(
            "network_memberships",
            _("The networks you belong to and your role in each."),
            NetworkMembership.objects.filter(user=user),
            {
                "id": "id",
                "network_id": "network_id",
                "network": "network__name",
                "role": "role",
                "joined_at": "joined_at",
            },
        ),
        Table(
            "memberships",
            _("Your places in groups, now and before: role, why you joined, when you left."),
            Membership.objects.filter(user=user),
            {
                "id": "id",
                "group_id": "group_id",
                "group": "group__name",
                "network": "group__network__name",
                "role": "role",
                "statement": "statement",
                "joined_at": "joined_at",
                "left_at": "left_at",
            },
        ),
        Table(
            "join_requests",
            _("Your requests to join groups and what became of them."),
            JoinRequest.objects.filter(user=user),
            {
                "id": "id",
                "group_id": "group_id",
                "group": "group__name",
                "statement": "statement",
                "status": "status",
                "created_at": "created_at",
                "waitlisted_at": "waitlisted_at",
                "decided_at": "decided_at",
            },
        ),
        Table(
            "membership_history",
            _(
                "The audit log's lines about you: joining, leaving, removals and role changes, "
                "and the changes you made."
            ),
            AuditEvent.objects.filter(
                Q(actor=user)
                | Q(target=user.public_name, verb__in=MEMBERSHIP_VERBS, group_id__in=group_ids)
            ),
            {
                "id": "id",
                "at": "at",
                "network": "network__name",
                "group_id": "group_id",
                "group": "group__name",
                "verb": "verb",
                "actor_id": "actor_id",
                "target": "target",
                "details": "details",
            },
            order=("at", "pk"),
        ),
        Table(
            "actions",
            _("The actions you logged."),
            Action.objects.filter(user=user),
            {
                "id": "id",
                "happened_on": "happened_on",
                "group_id": "group_id",
                "group": "group__name",
                "description": "description",
                "effort_minutes": "effort_minutes",
                "initiative_id": "initiative_id",
                "initiative": "initiative__title",
                "notes": "notes",
                "created_at": "created_at",
                "updated_at": "updated_at",
            },
            order=("happened_on", "pk"),
        ),
        Table(
            "measurements",
            _("The measurements you logged, with their metric and unit."),
            Measurement.objects.filter(user=user),
            {
                "id": "id",
                "measured_on": "measured_on",
                "group_id": "group_id",
                "group": "group__name",
                "metric_id": "metric_id",
                "metric": "metric__name",
                "unit": "metric__unit",
                "value": "value",
                "action_id": "action_id",
                "created_at": "created_at",
            },
            order=("measured_on", "pk"),
        ),
        Table(
            "reflections",
            _("Your reflections, with your pulse answers and whether you shared them by name."),
            Reflection.objects.filter(user=user),
            {
                "id": "id",
                "meeting_id": "meeting_id",
                "meeting_starts_at": "meeting__starts_at",
                "group_id": "meeting__group_id",
                "group": "meeting__group__name",
                "impact_achieved": "impact_achieved",
                "learned": "learned",
                "new_questions": "new_questions",
                "need_help": "need_help",
                **{name: name for name in Reflection.PULSE_FIELDS},
                "share_pulse": "share_pulse",
                "updated_at": "updated_at",
            },
        ),
        Table(
            "help_requests",
            _("The help you asked for."),
            HelpRequest.objects.filter(asked_by=user),
            {
                "id": "id",
                "group_id": "group_id",
                "group": "group__name",
                "summary": "summary",
                "details": "details",
                "raised_to_network": "raised_to_network",
                "status": "status",
                "created_at": "created_at",
                "resolved_at": "resolved_at",
            },
        ),
        Table(
            "help_responses",
            _("The help you offered others."),
            HelpResponse.objects.filter(author=user),
            {
                "id": "id",
                "help_request_id": "help_request_id",
                "help_request": "help_request__summary",
                "body": "body",
                "created_at": "created_at",
            },
        ),
        Table(
            "questions",
            _("The questions you asked."),
            Question.objects.filter(asked_by=user),
            {
                "id": "id",
                "network": "network__name",
                "group_id": "group_id",
                "narrative_id": "narrative_id",
                "text": "text",
                "details": "details",
                "posed_to_network": "posed_to_network",
                "status": "status",
                "follow_up_of_id": "follow_up_of_id",
                "created_at": "created_at",
                "answered_at": "answered_at",
            },
        ),
        Table(
            "answers",
            _("The answers you gave, with the question each answers."),
            Answer.objects.filter(author=user),
            {
                "id": "id",
                "question_id": "question_id",
                "question": "question__text",
                "group_id": "group_id",
                "body": "body",
                "helpful": "helpful",
                "created_at": "created_at",
            },
        ),
        Table(
            "next_actions",
            _("The next actions you took on in reflection sessions."),
            NextAction.objects.filter(owner=user),
            {
                "id": "id",
                "session_id": "session_id",
                "meeting_starts_at": "session__meeting__starts_at",
                "group_id": "group_id",
                "group": "group__name",
                "description": "description",
                "due_on": "due_on",
                "done_at": "done_at",
            },
        ),
        Table(
            "rsvps",
            _("Whether you said you would come to each meeting, and whether you came."),
            MeetingResponse.objects.filter(user=user),
            {
                "id": "id",
                "meeting_id": "meeting_id",
                "meeting_starts_at": "meeting__starts_at",
                "group_id": "meeting__group_id",
                "group": "meeting__group__name",
                "rsvp": "rsvp",
                "attended": "attended",
            },
        ),
        Table(
            "narratives",
            _("The narratives you wrote."),
            Narrative.objects.filter(created_by=user),
            {
                "id": "id",
                "network_id": "network_id",
                "group_id": "group_id",
                "title": "title",
                "horizon_year": "horizon_year",
                "opportunity": "opportunity",
                "why_now": "why_now",
                "call_to_action": "call_to_action",
                "language": "language",
                "status": "status",
                "created_at": "created_at",
                "updated_at": "updated_at",
            },
        ),
        Table(
            "initiatives",
            _("The initiatives you proposed."),
            Initiative.objects.filter(created_by=user),
            {
                "id": "id",
                "group_id": "group_id",
                "title": "title",
                "description": "description",
                "impact": "impact",
                "speed": "speed",
                "starts_on": "starts_on",
                "ends_on": "ends_on",
                "status": "status",
                "created_at": "created_at",
            },
        ),
        Table(
            "notifications",
            _("The notifications and emails written to you."),
            Notification.objects.filter(recipient=user),
            {
                "id": "id",
                "kind": "kind",
                "channel": "channel",
                "title": "title",
                "body": "body",
                "url": "url",
                "status": "status",
                "created_at": "created_at",
                "sent_at": "sent_at",
                "read_at": "read_at",
            },
        ),
        Table(
            "email_opt_outs",
            _("The kinds of email you chose not to receive."),
            EmailOptOut.objects.filter(user=user),
            {"kind": "kind", "created_at": "created_at"},
        ),
    ]
