"""A group's initiatives: proposed by members, at most three active at once."""

import calendar
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from groups.models import Group
from groups.permissions import Need, require
from impact.models import User
from narratives.models import (
    Initiative,
)

if TYPE_CHECKING:
    # For the annotation only: at run time metrics.models is imported where it is used.
    from metrics.models import MetricDefinition


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
