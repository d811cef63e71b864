"""Opportunity narratives: writing, publishing and adopting them, and copying a group's to its spin-out."""

import re
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Group, Network
from groups.permissions import Need, require, require_organizer
from groups.services import register_spin_out_copier
from impact.models import User
from narratives.models import (
    Adoption,
    Narrative,
    NarrativeRevision,
    current_writing_language,
    written_language_choices,
)
from narratives.permissions import narrative_access
from narratives.services.questions import question_events_on_publish

if TYPE_CHECKING:
    # For the annotation only: at run time metrics.models is imported where it is used.
    pass


NARRATIVE_FIELDS = ["title", "horizon_year", "opportunity", "why_now", "call_to_action", "language"]


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
    if fields.get("language") not in dict(written_language_choices()):
        errors["language"] = _("Pick the language the narrative is written in.")
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
    # Unless the writer says otherwise, it is written in the language they use the site in.
    values["language"] = values["language"] or current_writing_language()
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
@transaction.atomic
def narrative_set_status(*, actor: User, narrative: Narrative, status: str) -> Narrative:
    """Publish a narrative or take it back to draft. Publishing posts the questions asked
    while it was a draft to the chats that may now read them (each question once ever)."""
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
        if status == Narrative.Status.PUBLISHED:
            question_events_on_publish(narrative)
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
