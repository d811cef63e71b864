"""Reads for narratives, the questions board, initiatives and help requests."""

from django.db.models import Case, Count, Q, QuerySet, When

from groups.models import Group, Network
from groups.page_parts import register_group_page_part
from metrics.models import Action, Measurement, MetricDefinition
from narratives.models import Adoption, HelpRequest, Initiative, Narrative, Question


def network_narrative(network: Network) -> Narrative | None:
    """The network's narrative: the latest published one."""
    return (
        Narrative.objects.filter(network=network, status=Narrative.Status.PUBLISHED)
        .order_by("-updated_at")
        .first()
    )


def group_narrative(group: Group) -> Narrative | None:
    """The narrative a group adopted, or its network's by default."""
    # An adopted narrative taken back to draft is not for the members' eyes: fall back.
    adoption = (
        Adoption.objects.filter(group=group, narrative__status=Narrative.Status.PUBLISHED)
        .select_related("narrative")
        .first()
    )
    if adoption is not None:
        return adoption.narrative
    return network_narrative(group.network)


def questions_board(network: Network) -> QuerySet[Question]:
    """Open questions posed to the whole network, unanswered first, with the group each came from."""
    return (
        Question.objects.filter(network=network, status=Question.Status.OPEN)
        .filter(Q(posed_to_network=True) | Q(group__isnull=True))
        .exclude(narrative__status=Narrative.Status.DRAFT)
        .select_related("group", "asked_by")
        .annotate(answer_count=Count("answers"))
        .order_by("answer_count", "-created_at")
    )


def group_questions(group: Group, *, with_drafts: bool = False) -> QuerySet[Question]:
    """The group's questions; those of a draft narrative only for its authors (with_drafts)."""
    questions = Question.objects.filter(group=group)
    if not with_drafts:
        questions = questions.exclude(narrative__status=Narrative.Status.DRAFT)
    return (
        questions.select_related("asked_by")
        .annotate(answer_count=Count("answers"))
        .order_by("status", "-created_at")
    )


def quadrants(group: Group) -> dict[str, list[Initiative]]:
    """The group's live initiatives placed on the impact/speed two-by-two."""
    grid = {"high_fast": [], "high_slow": [], "low_fast": [], "low_slow": []}
    # Active ones lead each quadrant, then the proposals ("-status" would put proposed first).
    active_first = Case(When(status=Initiative.Status.ACTIVE, then=0), default=1)
    for initiative in Initiative.objects.filter(
        group=group, status__in=[Initiative.Status.PROPOSED, Initiative.Status.ACTIVE]
    ).order_by(active_first, "title"):
        grid[initiative.quadrant].append(initiative)
    return grid


def open_help_requests(group: Group) -> QuerySet[HelpRequest]:
    """The group's requests for help still open, newest first, with how many answered."""
    return (
        HelpRequest.objects.filter(group=group, status=HelpRequest.Status.OPEN)
        .select_related("asked_by")
        .annotate(response_count=Count("responses"))
        .order_by("-created_at")
    )


def network_help_requests(network: Network) -> QuerySet[HelpRequest]:
    return (
        HelpRequest.objects.filter(
            group__network=network, raised_to_network=True, status=HelpRequest.Status.OPEN
        )
        .select_related("group", "asked_by")
        .annotate(response_count=Count("responses"))
        .order_by("response_count", "-created_at")
    )


def initiative_log(initiative: Initiative) -> dict:
    """The actions logged against an initiative and the impact they produced, per metric."""
    from django.db.models import Sum

    actions = (
        Action.objects.filter(initiative=initiative)
        .select_related("user")
        .prefetch_related("measurements__metric")
        .order_by("-happened_on", "-id")
    )
    totals = (
        Measurement.objects.filter(action__initiative=initiative)
        .values("metric__name", "metric__unit", "metric__unit_singular")
        .annotate(total=Sum("value"))
        .order_by("metric__name")
    )
    # Each total with its metric's words, so the page writes "1 tree" as everywhere else.
    totals = [
        {
            "metric": MetricDefinition(
                name=row["metric__name"],
                unit=row["metric__unit"],
                unit_singular=row["metric__unit_singular"],
            ),
            "total": row["total"],
        }
        for row in totals
    ]
    effort = Action.objects.filter(initiative=initiative).aggregate(
        count=Count("id"), minutes=Sum("effort_minutes")
    )
    return {
        "actions": actions[:50],
        "count": effort["count"],
        "totals": totals,
        "minutes": effort["minutes"] or 0,
    }


@register_group_page_part("open_help_requests")
def latest_open_help_requests(group: Group) -> list[HelpRequest]:
    """The five newest open requests for help, for the group's page."""
    return list(open_help_requests(group)[:5])
