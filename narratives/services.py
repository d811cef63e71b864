"""Writes for narratives, powerful questions, initiatives and help requests."""

import calendar
import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Group, Membership, Network
from groups.permissions import Need, require, require_organizer
from groups.services import register_spin_out_copier
from impact.models import User
from impact.services import notify
from narratives.models import (
    Adoption,
    Answer,
    HelpRequest,
    HelpResponse,
    Initiative,
    Narrative,
    NarrativeRevision,
    Question,
)
from narratives.permissions import help_access, narrative_access, question_access

if TYPE_CHECKING:
    # For the annotation only: at run time metrics.models is imported where it is used.
    from metrics.models import MetricDefinition

NARRATIVE_FIELDS = ["title", "horizon_year", "opportunity", "why_now", "call_to_action"]

# Words that frame a narrative around threat and fear rather than opportunity.
FEAR_WORDS = [
    "threat",
    "threats",
    "threaten",
    "fear",
    "afraid",
    "crisis",
    "crises",
    "catastrophe",
    "catastrophic",
    "disaster",
    "collapse",
    "danger",
    "dangerous",
    "doom",
    "panic",
    "survive",
    "survival",
    "emergency",
    "destroy",
    "destruction",
    "lose",
    "losing",
    "enemy",
    "enemies",
    "attack",
    "emergencies",
]
# Inflected forms count too: "disasters", "threatened", "fears" are the usual fear framing.
_FEAR_RE = re.compile(
    r"\b(?:" + "|".join(FEAR_WORDS) + r")(?:s|es|d|ed|ing|ened|ening)?\b", re.IGNORECASE
)


def fear_words(*texts: str) -> list[str]:
    """The threat-and-fear words a narrative leans on (for a gentle, non-blocking hint)."""
    found = []
    for text in texts:
        for match in _FEAR_RE.finditer(text or ""):
            word = match.group(0).lower()
            if word not in found:
                found.append(word)
    return found


def _validate_narrative(fields: dict) -> None:
    errors = {}
    if not (fields.get("title") or "").strip():
        errors["title"] = _("Give the narrative a title.")
    if not (fields.get("opportunity") or "").strip():
        errors["opportunity"] = _("Describe the opportunity: where could things be?")
    year = fields.get("horizon_year")
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not this_year + 5 <= year <= this_year + 30:
        errors["horizon_year"] = _("Look 10 to 20 years ahead: a year between %(a)d and %(b)d.") % {
            "a": this_year + 5,
            "b": this_year + 30,
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def narrative_create(
    *,
    actor: User,
    network: Network | None = None,
    group: Group | None = None,
    **fields: str | int | None,
) -> Narrative:
    """Write a narrative for a network (organizers) or a group (its moderators), as a draft."""
    if (network is None) == (group is None):
        raise ValueError("a narrative belongs to a network or a group")
    if group is not None:
        message = _("Only the group's moderators can write its narrative.")
        require(actor, group, Need.MODERATE, message=message)
    if network is not None:
        message = _("Only the network's organizers can write its narrative.")
        require_organizer(actor, network, message=message)
    values = {key: fields.get(key, "") for key in NARRATIVE_FIELDS}
    values["title"] = values["title"].strip()
    _validate_narrative(values)
    return Narrative.objects.create(network=network, group=group, created_by=actor, **values)


@transaction.atomic
def narrative_update(*, actor: User, narrative: Narrative, **fields: str | int | None) -> Narrative:
    """Edit a narrative; the version before is kept with who and when."""
    narrative = Narrative.objects.select_for_update().get(pk=narrative.pk)
    if not narrative_access(actor, narrative).edit:
        raise PermissionDenied
    before = {key: getattr(narrative, key) for key in NARRATIVE_FIELDS} | {
        "status": narrative.status
    }
    for key in NARRATIVE_FIELDS:
        if key in fields:
            setattr(narrative, key, fields[key])
    _validate_narrative({key: getattr(narrative, key) for key in NARRATIVE_FIELDS})
    narrative.save()
    NarrativeRevision.objects.create(narrative=narrative, editor=actor, before=before)
    return narrative


@transaction.atomic
def narrative_set_status(*, actor: User, narrative: Narrative, status: str) -> Narrative:
    if status not in Narrative.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if not narrative_access(actor, narrative).edit:
        raise PermissionDenied
    if narrative.status != status:
        NarrativeRevision.objects.create(
            narrative=narrative, editor=actor, before={"status": narrative.status}
        )
        Narrative.objects.filter(pk=narrative.pk).update(status=status, updated_at=timezone.now())
        narrative.status = status
    return narrative


@transaction.atomic
def narrative_adopt(*, actor: User, group: Group, narrative: Narrative) -> Adoption:
    """A group adopts a published narrative of its network (or its own)."""
    message = _("Only the group's moderators can choose its narrative.")
    require(actor, group, Need.MODERATE, message=message)
    allowed = narrative.network_id == group.network_id or narrative.group_id == group.pk
    if not allowed or narrative.status != Narrative.Status.PUBLISHED:
        raise ValidationError(
            {"narrative": _("Choose a published narrative of this group or its network.")}
        )
    adoption, _created = Adoption.objects.update_or_create(
        group=group, defaults={"narrative": narrative}
    )
    return adoption


@register_spin_out_copier
def copy_narrative_to_spin_out(parent: Group, child: Group) -> None:
    """A spun-out group starts with the narrative its parent adopted."""
    adoption = Adoption.objects.filter(group=parent).select_related("narrative").first()
    if adoption is None:
        return
    narrative = adoption.narrative
    if narrative.group_id is not None:
        # The parent's own narrative is for the parent's members: the child's members could
        # not open it, so the child starts with a copy of its own.
        narrative = Narrative.objects.create(
            group=child,
            status=narrative.status,
            created_by=narrative.created_by,
            **{key: getattr(narrative, key) for key in NARRATIVE_FIELDS},
        )
    Adoption.objects.create(group=child, narrative=narrative)


# Powerful questions -----------------------------------------------------------------------


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
    return Question.objects.create(
        network=network,
        group=group,
        narrative=narrative,
        text=text,
        details=details.strip(),
        asked_by=actor,
        posed_to_network=posed_to_network,
        follow_up_of=follow_up_of,
    )


def question_pose_to_network(*, actor: User, question: Question) -> Question:
    if not question_access(actor, question).manage:
        raise PermissionDenied
    Question.objects.filter(pk=question.pk).update(posed_to_network=True)
    question.posed_to_network = True
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
            title=_("%(name)s answered: %(question)s")
            % {"name": actor.public_name, "question": question.text[:120]},
            body=body[:500],
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


# Initiatives ------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 Aug + 6)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _validate_initiative(fields: dict) -> None:
    errors = {}
    if not (fields.get("title") or "").strip():
        errors["title"] = _("Give the initiative a title.")
    if fields.get("impact") not in Initiative.Impact.values:
        errors["impact"] = _("Is its potential impact high or low?")
    if fields.get("speed") not in Initiative.Speed.values:
        errors["speed"] = _("Can it show tangible impact fast or slowly?")
    if fields.get("status") not in Initiative.Status.values:
        errors["status"] = _("Unknown status.")
    starts, ends = fields.get("starts_on"), fields.get("ends_on")
    if isinstance(starts, date) and isinstance(ends, date):
        # Whole calendar months: 15 January to 14 July is a day short of six months.
        if not add_months(starts, 6) <= ends <= add_months(starts, 12):
            errors["ends_on"] = _("An initiative runs 6 to 12 months.")
    else:
        errors["starts_on"] = _("Give the window it runs in.")
    if errors:
        raise ValidationError(errors)


def _require_group_moderator(actor: User, group: Group) -> None:
    message = _("Only the group's moderators can change its initiatives.")
    require(actor, group, Need.MODERATE, message=message)


def _lock_and_check_active(group: Group, *, exclude_pk: int | None = None) -> None:
    # The group row lock serialises activations, so two at once cannot make a fourth.
    Group.objects.select_for_update().get(pk=group.pk)
    active = Initiative.objects.filter(group=group, status=Initiative.Status.ACTIVE).exclude(
        pk=exclude_pk
    )
    if active.count() >= Initiative.MAX_ACTIVE:
        raise ValidationError(
            {
                "status": _(
                    "A group works on at most %(n)d initiatives at a time: finish or drop one first."
                )
                % {"n": Initiative.MAX_ACTIVE}
            }
        )


@transaction.atomic
def initiative_create(
    *,
    actor: User,
    group: Group,
    metrics: Iterable["MetricDefinition | int | str"] = (),
    **fields: str | date | None,
) -> Initiative:
    """Propose (or start) an initiative; at most three are active at once."""
    # Members, and the moderators and organizers who may start one outright.
    message = _("Members of the group propose its initiatives.")
    require(actor, group, Need.SEE_MEMBERS, message=message)
    status = fields.get("status") or Initiative.Status.PROPOSED
    if status != Initiative.Status.PROPOSED:
        _require_group_moderator(actor, group)
    _validate_initiative(fields | {"status": status})
    if status == Initiative.Status.ACTIVE:
        _lock_and_check_active(group)
    initiative = Initiative.objects.create(
        group=group,
        title=fields["title"].strip(),
        description=(fields.get("description") or "").strip(),
        impact=fields["impact"],
        speed=fields["speed"],
        starts_on=fields["starts_on"],
        ends_on=fields["ends_on"],
        status=status,
        created_by=actor,
    )
    metric_ids = [m.pk if hasattr(m, "pk") else int(m) for m in metrics]
    if metric_ids:
        from metrics.models import MetricDefinition

        valid = MetricDefinition.objects.filter(
            pk__in=metric_ids, group=group, archived_at__isnull=True
        )
        if valid.count() != len(set(metric_ids)):
            raise ValidationError({"metrics": _("Choose metrics of this group.")})
        initiative.metrics.set(valid)
    return initiative


@transaction.atomic
def initiative_set_status(*, actor: User, initiative: Initiative, status: str) -> Initiative:
    """Start, finish or drop an initiative (moderators); starting respects the limit of three."""
    if status not in Initiative.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    _require_group_moderator(actor, initiative.group)
    if status == Initiative.Status.ACTIVE and initiative.status != status:
        _lock_and_check_active(initiative.group, exclude_pk=initiative.pk)
    Initiative.objects.filter(pk=initiative.pk).update(status=status)
    initiative.status = status
    return initiative


# Help requests ----------------------------------------------------------------------------


@transaction.atomic
def help_request_create(
    *, actor: User, group: Group, summary: str, details: str = ""
) -> HelpRequest:
    """Ask the group for help; its moderators and members see it until it is resolved."""
    require(actor, group, Need.MEMBER, message=_("Members ask their group for help."))
    summary = _check_text(summary, "summary", _("Say in a line where you are stuck."), 200)
    help_request = HelpRequest.objects.create(
        group=group, asked_by=actor, summary=summary, details=details.strip()
    )
    others = [
        m.user
        for m in Membership.objects.active()
        .filter(group=group)
        .exclude(user=actor)
        .select_related("user")
    ]
    notify(
        recipients=others,
        kind="narratives.help",
        key=f"help:{help_request.pk}",
        title=_("%(name)s asks for help: %(summary)s")
        % {"name": actor.public_name, "summary": summary},
        body=details[:500],
        url=reverse("narratives:help_detail", args=[help_request.pk]),
        subject=help_request,
        email=False,
    )
    return help_request


def help_raise_to_network(*, actor: User, help_request: HelpRequest) -> HelpRequest:
    if not help_access(actor, help_request).manage:
        raise PermissionDenied
    HelpRequest.objects.filter(pk=help_request.pk).update(raised_to_network=True)
    help_request.raised_to_network = True
    return help_request


@transaction.atomic
def help_respond(*, actor: User, help_request: HelpRequest, body: str) -> HelpResponse:
    access = help_access(actor, help_request)
    if not access.view:
        raise PermissionDenied
    if not access.respond:
        raise ValidationError({"body": _("This request is resolved.")})
    body = _check_text(body, "body", _("Write your response."), 5000)
    response = HelpResponse.objects.create(help_request=help_request, author=actor, body=body)
    if help_request.asked_by and help_request.asked_by_id != actor.pk:
        notify(
            recipients=[help_request.asked_by],
            kind="narratives.help",
            key=f"help-response:{response.pk}",
            title=_("%(name)s responded to your request for help") % {"name": actor.public_name},
            body=body[:500],
            url=reverse("narratives:help_detail", args=[help_request.pk]),
            subject=help_request,
        )
    return response


def help_resolve(*, actor: User, help_request: HelpRequest) -> HelpRequest:
    if not help_access(actor, help_request).manage:
        raise PermissionDenied
    HelpRequest.objects.filter(pk=help_request.pk).update(
        status=HelpRequest.Status.RESOLVED, resolved_at=timezone.now()
    )
    help_request.status = HelpRequest.Status.RESOLVED
    return help_request
