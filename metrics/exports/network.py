"""A whole network for its organizers: everything its groups hold, table by table.

People's reflections are exported as the group sees them in meeting mode: what they wrote,
by name; their pulse by name only where they chose to share it, and otherwise only as a
meeting's averages, and only where enough members answered (the pulse pages' rule,
groups.meetings.selectors)."""

from django.db.models import Case, Count, F, Q, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups.meetings.models import Meeting, MeetingResponse, NextAction, Reflection, Session
from groups.meetings.selectors import PULSE_AVERAGES, PULSE_COUNTS, PULSE_MIN_ANSWERS
from groups.models import Group, Membership, Network, NetworkMembership
from metrics.exports.archive import Table, public_name
from metrics.models import Action, Measurement, MetricDefinition
from narratives.models import (
    Adoption,
    Answer,
    HelpRequest,
    HelpResponse,
    Initiative,
    Narrative,
    Question,
)


def _shared_pulse() -> dict:
    """Each pulse answer, where its member shared their pulse by name (else empty)."""
    return {
        name: Case(When(share_pulse=True, then=F(name)), default=None)
        for name in Reflection.PULSE_FIELDS
    }


def _private_averages(record: dict) -> dict:
    # The pulse pages' rule: fewer than PULSE_MIN_ANSWERS answers give away who said what.
    for name in Reflection.PULSE_FIELDS:
        count = record.pop(f"{name}_n")
        average = record[name]
        record[name] = (
            None if count < PULSE_MIN_ANSWERS or average is None else round(float(average), 2)
        )
    return record


def network_tables(network: Network) -> list[Table]:
    """The tables of a network's export, in the order the zip lists them."""
    in_network = Q(group__network=network)
    return [
        Table(
            "network",
            _("The network: name, description and whether it is public."),
            Network.objects.filter(pk=network.pk),
            {
                "id": "id",
                "name": "name",
                "slug": "slug",
                "description": "description",
                "is_public": "is_public",
                "created_at": "created_at",
            },
        ),
        Table(
            "network_people",
            _("The network's people and their roles."),
            NetworkMembership.objects.filter(network=network),
            {
                "user_id": "user_id",
                "name": public_name("user__"),
                "role": "role",
                "joined_at": "joined_at",
            },
        ),
        Table(
            "groups",
            _("The network's groups, with the group each was spun out of."),
            Group.objects.filter(network=network),
            {
                "id": "id",
                "name": "name",
                "purpose": "purpose",
                "capacity": "capacity",
                "join_policy": "join_policy",
                "parent_id": "parent_id",
                "created_at": "created_at",
            },
        ),
        Table(
            "memberships",
            _("Who is and was in each group, with their role."),
            Membership.objects.filter(in_network),
            {
                "id": "id",
                "group_id": "group_id",
                "user_id": "user_id",
                "name": public_name("user__"),
                "role": "role",
                "statement": "statement",
                "joined_at": "joined_at",
                "left_at": "left_at",
            },
        ),
        Table(
            "meetings",
            _("The groups' meetings, including cancelled ones."),
            Meeting.objects.filter(in_network),
            {
                "id": "id",
                "group_id": "group_id",
                "starts_at": "starts_at",
                "duration_minutes": "duration_minutes",
                "location": "location",
                "status": "status",
                "is_reflection": "is_reflection",
            },
            order=("starts_at", "pk"),
        ),
        Table(
            "rsvps",
            _("Who said they would come to each meeting, and who came."),
            MeetingResponse.objects.filter(meeting__group__network=network),
            {
                "meeting_id": "meeting_id",
                "group_id": "meeting__group_id",
                "user_id": "user_id",
                "name": public_name("user__"),
                "rsvp": "rsvp",
                "attended": "attended",
            },
        ),
        Table(
            "sessions",
            _("The reflection sessions: what each group achieved and learned, and the summary."),
            Session.objects.filter(in_network),
            {
                "id": "id",
                "group_id": "group_id",
                "meeting_id": "meeting_id",
                "meeting_starts_at": "meeting__starts_at",
                "started_at": "started_at",
                "closed_at": "closed_at",
                "achieved": "achieved",
                "learned": "learnings",
                "summary": "summary",
            },
        ),
        Table(
            "reflections",
            _(
                "Members' reflections as their group sees them: the pulse by name only where "
                "they shared it."
            ),
            Reflection.objects.filter(meeting__group__network=network),
            {
                "id": "id",
                "meeting_id": "meeting_id",
                "group_id": "meeting__group_id",
                "user_id": "user_id",
                "name": public_name("user__"),
                "impact_achieved": "impact_achieved",
                "learned": "learned",
                "new_questions": "new_questions",
                "need_help": "need_help",
                "share_pulse": "share_pulse",
                **_shared_pulse(),
            },
        ),
        Table(
            "pulse_averages",
            ngettext(
                "Each meeting's average pulse, as the group sees it: empty where fewer than "
                "%(n)d member answered.",
                "Each meeting's average pulse, as the group sees it: empty where fewer than "
                "%(n)d members answered.",
                PULSE_MIN_ANSWERS,
            )
            % {"n": PULSE_MIN_ANSWERS},
            Reflection.objects.filter(meeting__group__network=network)
            .values("meeting_id", "meeting__group_id", "meeting__starts_at")
            .annotate(answers=Count("id"), **PULSE_COUNTS, **PULSE_AVERAGES),
            {
                "meeting_id": "meeting_id",
                "group_id": "meeting__group_id",
                "meeting_starts_at": "meeting__starts_at",
                "answers": "answers",
                **{name: name for name in Reflection.PULSE_FIELDS},
                **{f"{name}_n": f"{name}_n" for name in Reflection.PULSE_FIELDS},
            },
            order=("meeting__starts_at", "meeting_id"),
            reshape=_private_averages,
            written=(
                "meeting_id",
                "group_id",
                "meeting_starts_at",
                "answers",
                *Reflection.PULSE_FIELDS,
            ),
        ),
        Table(
            "next_actions",
            _("The next actions agreed in sessions, whose they are and whether they are done."),
            NextAction.objects.filter(in_network),
            {
                "id": "id",
                "group_id": "group_id",
                "session_id": "session_id",
                "owner_id": "owner_id",
                "owner": public_name("owner__"),
                "description": "description",
                "due_on": "due_on",
                "done_at": "done_at",
            },
        ),
        Table(
            "actions",
            _("Every action logged in the network's groups."),
            Action.objects.filter(in_network),
            {
                "id": "id",
                "happened_on": "happened_on",
                "group_id": "group_id",
                "user_id": "user_id",
                "name": public_name("user__"),
                "description": "description",
                "effort_minutes": "effort_minutes",
                "initiative_id": "initiative_id",
                "notes": "notes",
                "created_at": "created_at",
            },
            order=("happened_on", "pk"),
        ),
        Table(
            "measurements",
            _("Every measurement logged in the network's groups."),
            Measurement.objects.filter(in_network),
            {
                "id": "id",
                "measured_on": "measured_on",
                "group_id": "group_id",
                "user_id": "user_id",
                "name": public_name("user__"),
                "metric_id": "metric_id",
                "metric": "metric__name",
                "unit": "metric__unit",
                "value": "value",
                "action_id": "action_id",
            },
            order=("measured_on", "pk"),
        ),
        Table(
            "metric_definitions",
            _("The metrics: the network's shared ones and each group's own."),
            MetricDefinition.objects.filter(Q(network=network) | in_network),
            {
                "id": "id",
                "network_id": "network_id",
                "group_id": "group_id",
                "source_id": "source_id",
                "name": "name",
                "unit": "unit",
                "direction": "direction",
                "aggregation": "aggregation",
                "allow_negative": "allow_negative",
                "target": "target",
                "target_date": "target_date",
                "description": "description",
                "created_at": "created_at",
                "archived_at": "archived_at",
            },
        ),
        Table(
            "narratives",
            _("The network's narratives, its groups' own and those its groups adopted."),
            Narrative.objects.filter(
                pk__in=Narrative.objects.filter(
                    Q(network=network) | in_network | Q(adoptions__group__network=network)
                ).values("pk")
            ),
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
            "adoptions",
            _("Which narrative each group adopted, and when."),
            Adoption.objects.filter(in_network),
            {
                "group_id": "group_id",
                "narrative_id": "narrative_id",
                "narrative": "narrative__title",
                "adopted_at": "adopted_at",
            },
        ),
        Table(
            "questions",
            _("The powerful questions asked in the network and its groups."),
            Question.objects.filter(network=network),
            {
                "id": "id",
                "group_id": "group_id",
                "narrative_id": "narrative_id",
                "asked_by_id": "asked_by_id",
                "asked_by": public_name("asked_by__"),
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
            _("The answers to those questions."),
            Answer.objects.filter(question__network=network),
            {
                "id": "id",
                "question_id": "question_id",
                "author_id": "author_id",
                "author": public_name("author__"),
                "group_id": "group_id",
                "body": "body",
                "helpful": "helpful",
                "created_at": "created_at",
            },
        ),
        Table(
            "help_requests",
            _("The help members asked for."),
            HelpRequest.objects.filter(in_network),
            {
                "id": "id",
                "group_id": "group_id",
                "asked_by_id": "asked_by_id",
                "asked_by": public_name("asked_by__"),
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
            _("The help offered in answer."),
            HelpResponse.objects.filter(help_request__group__network=network),
            {
                "id": "id",
                "help_request_id": "help_request_id",
                "author_id": "author_id",
                "author": public_name("author__"),
                "body": "body",
                "created_at": "created_at",
            },
        ),
        Table(
            "initiatives",
            _("The groups' initiatives."),
            Initiative.objects.filter(in_network),
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
            "initiative_metrics",
            _("Which metrics each initiative moves."),
            Initiative.metrics.through.objects.filter(initiative__group__network=network),
            {"initiative_id": "initiative_id", "metric_id": "metricdefinition_id"},
        ),
    ]
