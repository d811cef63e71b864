"""A group's impact metrics: define, change, archive, and copy them to a spun-out group."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.audit import audit
from groups.models import Group
from groups.permissions import Need, require
from groups.services import register_spin_out_copier
from impact.models import User
from metrics.models import (
    MetricChange,
    MetricDefinition,
)
from metrics.services.values import _today_for, check_target, parse_value

METRIC_FIELDS = [
    "name",
    "unit",
    "unit_singular",
    "direction",
    "aggregation",
    "allow_negative",
    "target",
    "target_date",
    "description",
]


NAME_MAX = MetricDefinition._meta.get_field("name").max_length


UNIT_MAX = MetricDefinition._meta.get_field("unit").max_length
UNIT_SINGULAR_MAX = MetricDefinition._meta.get_field("unit_singular").max_length


def unit_singular_too_long() -> str:
    """The field message for a unit for one that is too long (service, form and API say it)."""
    return _("Keep the unit for one under %(n)d characters.") % {"n": UNIT_SINGULAR_MAX}


METRICS_DENIED = _("Only the group's moderators can change its metrics.")

# What a metric's fields may be given as: pages pass cleaned form data, the API its serializer's,
# tests and the demo plain values (a target as "12", 12 or Decimal("12")).
MetricFieldValue = str | int | bool | Decimal | date | MetricDefinition | None


def _strip_texts(fields: dict) -> None:
    # A stored " Trees " would slip past the case-insensitive duplicate check for "Trees".
    for key in ("name", "unit", "unit_singular"):
        if isinstance(fields.get(key), str):
            fields[key] = fields[key].strip()


def _validate_metric(
    group: Group, fields: dict, *, exclude_pk: int | None = None, today: date | None = None
) -> None:
    """`today`: also check that the target's date lies in the future (new or changed targets)."""
    errors = {}
    if not (fields.get("name") or "").strip():
        errors["name"] = _("Give the metric a name.")
    elif len(fields["name"].strip()) > NAME_MAX:
        errors["name"] = _("Keep the name under %(n)d characters.") % {"n": NAME_MAX}
    elif (
        MetricDefinition.objects.filter(
            group=group, name__iexact=fields["name"].strip(), archived_at__isnull=True
        )
        .exclude(pk=exclude_pk)
        .exists()
    ):
        errors["name"] = ValidationError(
            _("The group already measures a metric with that name."), code="unique"
        )
    if not (fields.get("unit") or "").strip():
        errors["unit"] = _("Say what you count, for example trees or kWh.")
    elif len(fields["unit"].strip()) > UNIT_MAX:
        errors["unit"] = _("Keep the unit under %(n)d characters.") % {"n": UNIT_MAX}
    if len((fields.get("unit_singular") or "").strip()) > UNIT_SINGULAR_MAX:
        errors["unit_singular"] = unit_singular_too_long()
    if fields.get("direction") not in MetricDefinition.Direction.values:
        errors["direction"] = _("Choose whether higher or lower is better.")
    if fields.get("aggregation") not in MetricDefinition.Aggregation.values:
        errors["aggregation"] = _("Choose how the metric adds up over a week.")
    if fields.get("target_date") and fields.get("target") is None:
        errors["target"] = _("A target date needs a target.")
    errors = (
        check_target(
            target=fields.get("target"),
            target_date=fields.get("target_date"),
            allow_negative=bool(fields.get("allow_negative")),
            today=today,
        )
        | errors
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def metric_define(*, actor: User, group: Group, **fields: MetricFieldValue) -> MetricDefinition:
    """Add a metric the group agreed on (moderators and organizers); the change is recorded."""
    require(actor, group, Need.MODERATE, message=METRICS_DENIED)
    defaults = {
        "direction": MetricDefinition.Direction.HIGHER,
        "aggregation": MetricDefinition.Aggregation.SUM,
        "allow_negative": False,
        "description": "",
        "target": None,
        "target_date": None,
    }
    given = {key: fields[key] for key in METRIC_FIELDS if fields.get(key) not in (None, "")}
    fields = defaults | given | {"source": fields.get("source")}
    if fields["target"] is not None:
        fields["target"] = parse_value(fields["target"], "target")
    _strip_texts(fields)
    _validate_metric(group, fields, today=_today_for(actor))
    metric = MetricDefinition.objects.create(group=group, **fields)
    MetricChange.objects.create(
        metric=metric, changed_by=actor, changes={"created": _metric_snapshot(metric)}
    )
    audit(group=group, verb="metric.defined", actor=actor, target=metric.name)
    return metric


def _metric_snapshot(metric: MetricDefinition) -> dict:
    data = model_to_dict(metric, fields=METRIC_FIELDS)
    return {
        key: (str(value) if value is not None and not isinstance(value, str) else value)
        for key, value in data.items()
    }


@transaction.atomic
def metric_update(
    *, actor: User, metric: MetricDefinition, **fields: MetricFieldValue
) -> MetricDefinition:
    """Change a metric's definition, recording what changed, who changed it and when."""
    metric = MetricDefinition.objects.select_for_update().get(pk=metric.pk)
    require(actor, metric.group, Need.MODERATE, message=METRICS_DENIED)
    before = _metric_snapshot(metric)
    old_target = (metric.target, metric.target_date)
    if fields.get("target") not in (None, ""):
        fields["target"] = parse_value(fields["target"], "target")
    for key in METRIC_FIELDS:
        if key in fields:
            blank_is_text = key in ("description", "unit_singular")
            setattr(metric, key, fields[key] if fields[key] != "" or blank_is_text else None)
    metric.allow_negative = bool(metric.allow_negative)
    metric.name = (metric.name or "").strip()
    metric.unit = (metric.unit or "").strip()
    metric.unit_singular = (metric.unit_singular or "").strip()
    # A target that passed its date may stay as it was while the rest of the metric changes.
    target_changed = (metric.target, metric.target_date) != old_target
    _validate_metric(
        metric.group,
        model_to_dict(metric, fields=METRIC_FIELDS),
        exclude_pk=metric.pk,
        today=_today_for(actor) if target_changed else None,
    )
    metric.save()
    after = _metric_snapshot(metric)
    diff = {key: [before[key], after[key]] for key in METRIC_FIELDS if before[key] != after[key]}
    if diff:
        MetricChange.objects.create(metric=metric, changed_by=actor, changes=diff)
        audit(
            group=metric.group,
            verb="metric.changed",
            actor=actor,
            target=metric.name,
            fields=sorted(diff),
        )
    return metric


@transaction.atomic
def metric_archive(*, actor: User, metric: MetricDefinition) -> None:
    """Stop measuring a metric; its history stays."""
    require(actor, metric.group, Need.MODERATE, message=METRICS_DENIED)
    MetricDefinition.objects.filter(pk=metric.pk).update(archived_at=timezone.now())
    MetricChange.objects.create(metric=metric, changed_by=actor, changes={"archived": True})
    audit(group=metric.group, verb="metric.archived", actor=actor, target=metric.name)


def _is_shared(metric: MetricDefinition | None) -> bool:
    return metric is not None and metric.network_id is not None


@register_spin_out_copier
def copy_metrics_to_spin_out(parent: Group, child: Group) -> None:
    """A spun-out group starts with its parent's metric definitions."""
    parents = MetricDefinition.objects.filter(group=parent, archived_at__isnull=True)
    parents = parents.select_related("source").order_by("pk")
    copies = MetricDefinition.objects.bulk_create(
        [
            MetricDefinition(
                group=child,
                # A copy of an adopted network metric stays adopted: the leaderboard and
                # metric_adopt find groups through the network metric itself.
                source_id=metric.source_id if _is_shared(metric.source) else metric.pk,
                **{key: getattr(metric, key) for key in METRIC_FIELDS},
            )
            for metric in parents
        ]
    )
    MetricChange.objects.bulk_create(
        [
            MetricChange(
                metric=copy,
                changed_by=None,
                changes={"created": _metric_snapshot(copy) | {"spun_out_of": parent.pk}},
            )
            for copy in copies
        ]
    )
