"""Powerful questions: asking, posing to the network, answering, marking helpful and answered."""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Group, Membership
from groups.permissions import Need, require
from groups.webhooks.services import webhook_event
from impact.markdown import NOTICE_LENGTH, markdown_excerpt
from impact.models import User
from impact.services import notify
from narratives.models import (
    Answer,
    Narrative,
    Question,
)
from narratives.permissions import narrative_access, question_access

if TYPE_CHECKING:
    # For the annotation only: at run time metrics.models is imported where it is used.
    pass


def _check_text(text: str, field: str, message: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: message})
    if len(text) > limit:
        raise ValidationError({field: _("Keep it under %(n)d characters.") % {"n": limit}})
    return text


@transaction.atomic
def question_ask(
    *,
    actor: User,
    text: str,
    details: str = "",
    group: Group | None = None,
    narrative: Narrative | None = None,
    posed_to_network: bool = False,
    follow_up_of: Question | None = None,
) -> Question:
    """Ask a powerful question of a group, or of a narrative; a group may pose it to its network."""
    text = _check_text(text, "text", _("Write the question."), 300)
    if group is not None and narrative is not None:
        # A group question hung on a network narrative would be listed with that narrative
        # for the whole network (or on another network's): ask one or the other.
        raise ValidationError(
            {"narrative": _("Ask the group's question, or the narrative's, not both.")}
        )
    if group is not None:
        message = _("Only the group's members can ask its questions.")
        require(actor, group, Need.SEE_MEMBERS, message=message)
        network = group.network
    elif narrative is not None:
        if not narrative_access(actor, narrative).edit:
            raise PermissionDenied(_("Only the narrative's authors add its questions."))
        network = narrative.network or narrative.group.network
        group = narrative.group
    else:
        raise ValueError("a question belongs to a group or a narrative")
    question = Question.objects.create(
        network=network,
        group=group,
        narrative=narrative,
        text=text,
        details=details.strip(),
        asked_by=actor,
        posed_to_network=posed_to_network,
        follow_up_of=follow_up_of,
    )
    _question_event(question, key=str(question.pk), group_hooks=True)
    return question


def question_events_on_publish(narrative: Narrative) -> None:
    """The questions of a narrative just published, to the chats that may now read them (the
    key is the one a question asked after publishing has, so none is posted twice)."""
    for question in narrative.questions.select_related("asked_by", "group", "network"):
        question.narrative = narrative
        _question_event(question, key=str(question.pk), group_hooks=True)


def _question_event(question: Question, *, key: str, group_hooks: bool) -> None:
    """Post a question to the chats whose readers may read it (as `question_access` says): a
    draft narrative's to none (its authors' alone), a group's to the group's hooks, and to the
    network's hooks only once the whole network may read it."""
    narrative = question.narrative
    if narrative is not None and narrative.status != Narrative.Status.PUBLISHED:
        return
    webhook_event(
        kind="question.new",
        key=key,
        group=question.group,
        network=question.network,
        group_hooks=group_hooks,
        network_wide=question.is_network_wide,
        payload={
            "question": question.pk,
            "text": question.text,
            "asked_by": question.asked_by.public_name if question.asked_by else "",
            "url": question.get_absolute_url(),
        },
    )


@transaction.atomic
def question_pose_to_network(*, actor: User, question: Question) -> Question:
    if not question_access(actor, question).manage:
        raise PermissionDenied
    posed = Question.objects.filter(pk=question.pk, posed_to_network=False).update(
        posed_to_network=True
    )
    question.posed_to_network = True
    if posed:
        # The group's hooks had it when it was asked: now the network's get it, once.
        _question_event(question, key=f"{question.pk}:posed", group_hooks=False)
    return question


@transaction.atomic
def answer_create(*, actor: User, question: Question, body: str) -> Answer:
    """Answer a question (members of the groups that can see it); the asker is told."""
    access = question_access(actor, question)
    if not access.view:
        raise PermissionDenied
    if question.status != Question.Status.OPEN:
        raise ValidationError({"body": _("This question is already answered; ask a follow-up.")})
    if not access.answer:
        raise PermissionDenied(_("Members of the network's groups answer its questions."))
    body = _check_text(body, "body", _("Write your answer."), 5000)
    # Credit the answer to the question's own group when the author is in it, otherwise to
    # one of the author's groups in the network (the oldest seat, so it is stable).
    own_group = (
        Membership.objects.active()
        .filter(user=actor, group__network_id=question.network_id)
        .select_related("group")
        .order_by(Case(When(group_id=question.group_id, then=0), default=1), "joined_at", "id")
        .first()
    )
    answer = Answer.objects.create(
        question=question, author=actor, group=own_group.group if own_group else None, body=body
    )
    if question.asked_by and question.asked_by_id != actor.pk:
        notify(
            recipients=[question.asked_by],
            kind="narratives.answer",
            key=f"answer:{answer.pk}",
            title=lambda: (
                _("%(name)s answered: %(question)s")
                % {"name": actor.public_name, "question": question.text[:120]}
            ),
            body=markdown_excerpt(body, NOTICE_LENGTH),
            url=reverse("narratives:question_detail", args=[question.pk]),
            subject=question,
        )
    return answer


def answer_mark_helpful(*, actor: User, answer: Answer, helpful: bool = True) -> Answer:
    """The asker says which answers helped."""
    if not question_access(actor, answer.question).helpful:
        raise PermissionDenied(_("The person who asked marks answers helpful."))
    Answer.objects.filter(pk=answer.pk).update(helpful=helpful)
    answer.helpful = helpful
    return answer


@transaction.atomic
def question_mark_answered(
    *, actor: User, question: Question, follow_ups: list[str] = ()
) -> list[Question]:
    """Close a question as answered, raising the follow-up questions it led to."""
    if not question_access(actor, question).manage:
        raise PermissionDenied
    Question.objects.filter(pk=question.pk).update(
        status=Question.Status.ANSWERED, answered_at=timezone.now()
    )
    question.status = Question.Status.ANSWERED
    return [
        Question.objects.create(
            network_id=question.network_id,
            group_id=question.group_id,
            narrative_id=question.narrative_id,
            text=_check_text(text, "follow_ups", _("Write the question."), 300),
            asked_by=actor,
            posed_to_network=question.posed_to_network,
            follow_up_of=question,
        )
        for text in follow_ups
        if text.strip()
    ]
