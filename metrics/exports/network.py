"""A whole network for its organizers: everything its groups hold, table by table.

People's reflections are exported as the group sees them in meeting mode: what they wrote,
by name; their pulse by name only where they chose to share it, and otherwise only as a
meeting's averages, and only where enough members answered (the pulse pages' rule,
groups.meetings.selectors)."""

from django.db.models import Case, Count, F, Q, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups.meetings.models import Meeting, MeetingResponse, NextAction, Reflection, Session
from groups.meetings.selectors import (
    PULSE_AVERAGES,
    PULSE_COUNTS,
    PULSE_MIN_ANSWERS,
    private_averages,
)
from groups.models import Group, Membership, Network, NetworkMembership
from metrics.exports import columns
from metrics.exports.archive import Table
from metrics.exports.columns import fields, pick, without
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
    # The pulse pages' rule (groups.meetings.selectors.private_averages), to two decimals.
    record = private_averages(record)
    for name in Reflection.PULSE_FIELDS:
        if record[name] is not None:
            record[name] = round(float(record[name]), 2)
    return record


def network_tables(network: Network) -> list[Table]:
    """The tables of a network's export, in the order the zip lists them."""
    in_network = Q(group__network=network)
    return [
        Table(
            "network",
            _("The network: name, description and whether it is public."),
            Network.objects.filter(pk=network.pk),
            fields("id", "name", "slug", "description", "is_public", "created_at"),
        ),
        Table(
            "network_people",
            _("The network's people and their roles."),
            NetworkMembership.objects.filter(network=network),
            without(columns.NETWORK_MEMBERSHIPS, "id", "network_id", "network"),
        ),
        Table(
            "groups",
            _("The network's groups, with the group each was spun out of."),
            Group.objects.filter(network=network),
            fields("id", "name", "purpose", "capacity", "join_policy", "parent_id", "created_at"),
        ),
        Table(
            "memberships",
            _("Who is and was in each group, with their role."),
            Membership.objects.filter(in_network),
            without(columns.MEMBERSHIPS, "group", "network"),
        ),
        Table(
            "meetings",
            _("The groups' meetings, including cancelled ones."),
            Meeting.objects.filter(in_network),
            fields(
                "id",
                "group_id",
                "starts_at",
                "duration_minutes",
                "location",
                "status",
                "is_reflection",
            ),
            order=("starts_at", "pk"),
        ),
        Table(
            "rsvps",
            _("Who said they would come to each meeting, and who came."),
            MeetingResponse.objects.filter(meeting__group__network=network),
            without(columns.RSVPS, "id", "meeting_starts_at", "group"),
        ),
        Table(
            "sessions",
            _("The reflection sessions: what each group achieved and learned, and the summary."),
            Session.objects.filter(in_network),
            {
                **fields("id", "group_id", "meeting_id"),
                "meeting_starts_at": "meeting__starts_at",
                **fields("started_at", "closed_at", "achieved"),
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
                **without(
                    columns.REFLECTIONS,
                    "meeting_starts_at",
                    "group",
                    *Reflection.PULSE_FIELDS,  # every member's answers: only the shared ones follow
                    "updated_at",
                ),
                **_shared_pulse(),
            },
        ),
        Table(
            "pulse_averages",
            ngettext(
                "Each meeting's average pulse, as the group sees it: empty where fewer than "
                "%(n)d member answered, or where one or two kept their pulse private beside "
                "pulses shared by name (the average would give theirs away).",
                "Each meeting's average pulse, as the group sees it: empty where fewer than "
                "%(n)d members answered, or where one or two kept their pulse private beside "
                "pulses shared by name (the average would give theirs away).",
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
                **{count: count for count in PULSE_COUNTS},
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
            pick(
                columns.NEXT_ACTIONS,
                "id",
                "group_id",
                "session_id",
                "owner_id",
                "owner",
                "description",
                "due_on",
                "done_at",
            ),
        ),
        Table(
            "actions",
            _("Every action logged in the network's groups."),
            Action.objects.filter(in_network),
            without(columns.ACTIONS, "group", "initiative", "updated_at"),
            order=("happened_on", "pk"),
        ),
        Table(
            "measurements",
            _("Every measurement logged in the network's groups."),
            Measurement.objects.filter(in_network),
            without(columns.MEASUREMENTS, "group", "created_at"),
            order=("measured_on", "pk"),
        ),
        Table(
            "metric_definitions",
            _("The metrics: the network's shared ones and each group's own."),
            MetricDefinition.objects.filter(Q(network=network) | in_network),
            {
                **fields("id", "network_id", "group_id", "source_id"),
                **fields("name", "unit", "unit_singular", "direction", "aggregation"),
                **fields("allow_negative"),
                **fields("target", "target_date", "description", "created_at", "archived_at"),
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
            columns.NARRATIVES,
        ),
        Table(
            "adoptions",
            _("Which narrative each group adopted, and when."),
            Adoption.objects.filter(in_network),
            {
                **fields("group_id", "narrative_id"),
                "narrative": "narrative__title",
                "adopted_at": "adopted_at",
            },
        ),
        Table(
            "questions",
            _("The powerful questions asked in the network and its groups."),
            Question.objects.filter(network=network),
            without(columns.QUESTIONS, "network"),
        ),
        Table(
            "answers",
            _("The answers to those questions."),
            Answer.objects.filter(question__network=network),
            without(columns.ANSWERS, "question"),
        ),
        Table(
            "help_requests",
            _("The help members asked for."),
            HelpRequest.objects.filter(in_network),
            without(columns.HELP_REQUESTS, "group"),
        ),
        Table(
            "help_responses",
            _("The help offered in answer."),
            HelpResponse.objects.filter(help_request__group__network=network),
            without(columns.HELP_RESPONSES, "help_request"),
        ),
        Table(
            "initiatives",
            _("The groups' initiatives."),
            Initiative.objects.filter(in_network),
            columns.INITIATIVES,
        ),
        Table(
            "initiative_metrics",
            _("Which metrics each initiative moves."),
            Initiative.metrics.through.objects.filter(initiative__group__network=network),
            {"initiative_id": "initiative_id", "metric_id": "metricdefinition_id"},
        ),
    ]
