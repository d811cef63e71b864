"""Who may see and do what with narratives, questions, initiatives and help requests.

Built on the groups app's rules: a group's own things are for its members and the network's
organizers; network-wide things are for everyone who can see the network.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from groups.models import Membership, NetworkMembership
from groups.permissions import can_view_network, group_access, is_organizer, network_role
from narratives.models import HelpRequest, Initiative, Narrative, Question


def in_a_group_of(user, network_id: int) -> bool:
    return Membership.objects.active().filter(user=user, group__network_id=network_id).exists()


@dataclass(frozen=True)
class NarrativeAccess:
    view: bool
    edit: bool


def narrative_access(user, narrative: Narrative) -> NarrativeAccess:
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


def narrative_for_user(user, pk, *, need: str = "view") -> tuple[Narrative, NarrativeAccess]:
    narrative = Narrative.objects.select_related("network", "group__network").filter(pk=pk).first()
    if narrative is None:
        raise Http404
    access = narrative_access(user, narrative)
    if not access.view:
        raise Http404
    if not getattr(access, need):
        raise PermissionDenied
    return narrative, access


@dataclass(frozen=True)
class QuestionAccess:
    view: bool
    answer: bool
    manage: bool  # the asker, or a moderator of the asking group / an organizer
    helpful: bool = False  # the asker alone says which answers helped


def question_access(user, question: Question) -> QuestionAccess:
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
    if question.is_network_wide:
        view = organizer or can_view_network(
            user, question.network, network_role(user, question.network)
        )
        answer = organizer or in_a_group_of(user, question.network_id)
    else:
        access = group_access(user, question.group)
        view, answer = access.see_members, access.see_members
    manage = view and (
        question.asked_by_id == user.pk
        or organizer
        or (question.group_id is not None and group_access(user, question.group).moderate)
    )
    return QuestionAccess(
        view=view,
        answer=answer and question.status == Question.Status.OPEN,
        manage=manage,
        helpful=view and question.asked_by_id == user.pk,
    )


def question_for_user(user, pk, *, need: str = "view") -> tuple[Question, QuestionAccess]:
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
    access = question_access(user, question)
    if not access.view:
        raise Http404
    if not getattr(access, need):
        raise PermissionDenied
    return question, access


def initiative_for_user(user, pk, *, need: str = "see_members"):
    initiative = Initiative.objects.select_related("group__network").filter(pk=pk).first()
    if initiative is None:
        raise Http404
    access = group_access(user, initiative.group)
    if not access.see_members:
        raise Http404
    if not getattr(access, need):
        raise PermissionDenied
    return initiative, access


@dataclass(frozen=True)
class HelpAccess:
    view: bool
    respond: bool
    manage: bool  # the asker or a moderator: raise to the network, resolve


def help_access(user, help_request: HelpRequest) -> HelpAccess:
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


def help_for_user(user, pk, *, need: str = "view") -> tuple[HelpRequest, HelpAccess]:
    help_request = (
        HelpRequest.objects.select_related("group__network", "asked_by").filter(pk=pk).first()
    )
    if help_request is None:
        raise Http404
    access = help_access(user, help_request)
    if not access.view:
        raise Http404
    if not getattr(access, need):
        raise PermissionDenied
    return help_request, access
