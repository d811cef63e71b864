"""Who may see and do what with narratives, questions, initiatives and help requests.

Built on the groups app's rules: a group's own things are for its members and the network's
organizers; network-wide things are for everyone who can see the network.
"""

from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from groups.models import Membership, NetworkMembership
from groups.permissions import (
    GroupAccess,
    Need,
    can_view_network,
    check,
    group_access,
    group_content_for_user,
    is_organizer,
    network_role,
    visible_networks_q,
)
from impact.models import User
from narratives.models import HelpRequest, Initiative, Narrative, Question

# What can be asked of each access record: the names of its fields.
NarrativeNeed = Literal["view", "edit"]
QuestionNeed = Literal["view", "answer", "manage", "helpful"]
HelpNeed = Literal["view", "respond", "manage"]


def in_a_group_of(user: User, network_id: int) -> bool:
    return Membership.objects.active().filter(user=user, group__network_id=network_id).exists()


@dataclass(frozen=True)
class NarrativeAccess:
    view: bool
    edit: bool


def narrative_access(user: User | AnonymousUser, narrative: Narrative) -> NarrativeAccess:
    if narrative.group_id:
        access = group_access(user, narrative.group)
        edit = access.moderate
        view = access.see_members and (edit or narrative.status == Narrative.Status.PUBLISHED)
        return NarrativeAccess(view=view, edit=edit)
    role = network_role(user, narrative.network)
    edit = role == NetworkMembership.Role.ORGANIZER
    published = narrative.status == Narrative.Status.PUBLISHED
    return NarrativeAccess(
        view=edit or (published and can_view_network(user, narrative.network, role)), edit=edit
    )


def narrative_for_user(
    user: User | AnonymousUser, pk: int | str, *, need: NarrativeNeed = "view"
) -> tuple[Narrative, NarrativeAccess]:
    narrative = Narrative.objects.select_related("network", "group__network").filter(pk=pk).first()
    if narrative is None:
        raise Http404
    return narrative, check(narrative_access(user, narrative), need)


@dataclass(frozen=True)
class QuestionAccess:
    view: bool
    answer: bool
    manage: bool  # the asker, or a moderator of the asking group / an organizer
    helpful: bool = False  # the asker alone says which answers helped


def question_access(user: User | AnonymousUser, question: Question) -> QuestionAccess:
    if not user.is_authenticated:
        return QuestionAccess(False, False, False)
    narrative = question.narrative if question.narrative_id else None
    if (
        narrative is not None
        and narrative.status != Narrative.Status.PUBLISHED
        and not narrative_access(user, narrative).edit
    ):
        # A draft narrative's questions are part of the draft: only its authors see them.
        return QuestionAccess(False, False, False)
    organizer = is_organizer(user, question.network_id)
    # A group's question (posed to the network or not): its moderators manage it.
    access = group_access(user, question.group) if question.group_id is not None else None
    if question.is_network_wide:
        view = organizer or can_view_network(
            user, question.network, network_role(user, question.network)
        )
        answer = organizer or in_a_group_of(user, question.network_id)
    else:
        view, answer = access.see_members, access.see_members
    manage = view and (
        question.asked_by_id == user.pk or organizer or (access is not None and access.moderate)
    )
    return QuestionAccess(
        view=view,
        answer=answer and question.status == Question.Status.OPEN,
        manage=manage,
        helpful=view and question.asked_by_id == user.pk,
    )


def question_for_user(
    user: User | AnonymousUser, pk: int | str, *, need: QuestionNeed = "view"
) -> tuple[Question, QuestionAccess]:
    question = (
        Question.objects.select_related(
            "network",
            "group__network",
            "asked_by",
            "narrative__network",
            "narrative__group__network",
            "follow_up_of",
        )
        .filter(pk=pk)
        .first()
    )
    if question is None:
        raise Http404
    return question, check(question_access(user, question), need)


def initiative_for_user(
    user: User | AnonymousUser, pk: int | str, *, need: Need = Need.SEE_MEMBERS
) -> tuple[Initiative, GroupAccess]:
    """An initiative is the group's own: hidden from whoever may not see its members."""
    rows = Initiative.objects.select_related("group__network")
    return group_content_for_user(user, rows, pk, need)


@dataclass(frozen=True)
class HelpAccess:
    view: bool
    respond: bool
    manage: bool  # the asker or a moderator: raise to the network, resolve


def help_access(user: User | AnonymousUser, help_request: HelpRequest) -> HelpAccess:
    if not user.is_authenticated:
        return HelpAccess(False, False, False)
    access = group_access(user, help_request.group)
    network_view = help_request.raised_to_network and (
        access.organize or in_a_group_of(user, help_request.group.network_id)
    )
    view = access.see_members or network_view
    manage = view and (help_request.asked_by_id == user.pk or access.moderate)
    return HelpAccess(
        view=view, respond=view and help_request.status == HelpRequest.Status.OPEN, manage=manage
    )


def help_for_user(
    user: User | AnonymousUser, pk: int | str, *, need: HelpNeed = "view"
) -> tuple[HelpRequest, HelpAccess]:
    help_request = (
        HelpRequest.objects.select_related("group__network", "asked_by").filter(pk=pk).first()
    )
    if help_request is None:
        raise Http404
    return help_request, check(help_access(user, help_request), need)


# The same rules as filters, for the API's lists ------------------------------------------------


def _scopes(user: User) -> dict[str, QuerySet]:
    """The ids a person's visibility rests on, as subqueries (no round trips)."""
    active = Membership.objects.active().filter(user=user)
    return {
        "groups": active.values("group_id"),
        "moderated": active.filter(role=Membership.Role.MODERATOR).values("group_id"),
        "organized": NetworkMembership.objects.filter(
            user=user, role=NetworkMembership.Role.ORGANIZER
        ).values("network_id"),
    }


def visible_narratives(user: User) -> QuerySet[Narrative]:
    """`narrative_access(...).view` as a filter."""
    s = _scopes(user)
    published = Q(status=Narrative.Status.PUBLISHED)
    network_level = Q(network__isnull=False) & (
        Q(network__in=s["organized"]) | (published & visible_networks_q(user, "network__"))
    )
    group_level = Q(group__isnull=False) & (
        Q(group__network__in=s["organized"])
        | Q(group__in=s["moderated"])
        | (published & Q(group__in=s["groups"]))
    )
    return Narrative.objects.filter(network_level | group_level)


def visible_questions(user: User) -> QuerySet[Question]:
    """`question_access(...).view` as a filter."""
    s = _scopes(user)
    wide = (Q(group__isnull=True) | Q(posed_to_network=True)) & (
        visible_networks_q(user, "network__")
    )
    own = Q(group__in=s["groups"]) | Q(network__in=s["organized"])
    # A draft narrative's questions are for its authors only (as question_access says).
    not_a_draft = (
        Q(narrative__isnull=True)
        | Q(narrative__status=Narrative.Status.PUBLISHED)
        | Q(narrative__network__in=s["organized"])
        | Q(narrative__group__network__in=s["organized"])
        | Q(narrative__group__in=s["moderated"])
    )
    return Question.objects.filter((wide | own) & not_a_draft)


def visible_group_items(model: type[Model], user: User) -> QuerySet:
    """A group's own rows (initiatives): those of my groups and of the networks I organize."""
    s = _scopes(user)
    return model.objects.filter(Q(group__in=s["groups"]) | Q(group__network__in=s["organized"]))


def visible_help_requests(user: User) -> QuerySet[HelpRequest]:
    """`help_access(...).view` as a filter: my groups' requests, my networks' (organizers), and
    those raised to a network where I am in a group."""
    s = _scopes(user)
    raised = Q(raised_to_network=True) & Q(
        group__network__in=Membership.objects.active().filter(user=user).values("group__network_id")
    )
    return HelpRequest.objects.filter(
        Q(group__in=s["groups"]) | Q(group__network__in=s["organized"]) | raised
    )
