"""Writes for metrics, actions and measurements: one transaction each, validated against the group."""

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from groups.audit import audit
from groups.models import Group, Membership
from groups.permissions import Need, is_member, require, require_organizer
from groups.services import register_spin_out_copier
from impact.exceptions import Conflict
from impact.models import User
from metrics.models import (
    MAX_EFFORT_MINUTES,
    Action,
    EntryRevision,
    Measurement,
    MetricChange,
    MetricDefinition,
)

MAX_ABS_VALUE = Decimal("1e11")
# How far back an action or a measurement may be dated: older entries are not a week the group
# can still reflect on, and a typo such as 1900 would pull its trends and progress apart.
ENTRY_HISTORY_DAYS = 365
METRIC_FIELDS = [
    "name",
    "unit",
    "direction",
    "aggregation",
    "allow_negative",
    "target",
    "target_date",
    "description",
]
NAME_MAX = MetricDefinition._meta.get_field("name").max_length
UNIT_MAX = MetricDefinition._meta.get_field("unit").max_length
METRICS_DENIED = _("Only the group's moderators can change its metrics.")
EDIT_DENIED = _("You can change your own entries; moderators can correct any.")


def parse_value(raw, field: str = "value") -> Decimal:
    """A measured value as typed (a comma works as the decimal mark), or a ValidationError."""
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("Enter a number, for example 12 or 3.5.")}) from exc
    # Decimal() happily parses "NaN" and "Infinity"; neither is a measurement.
    if value.is_nan():
        raise ValidationError({field: _("Enter a number, for example 12 or 3.5.")})
    if not value.is_finite() or abs(value) >= MAX_ABS_VALUE:
        raise ValidationError({field: _("That number is too large.")})
    return value.quantize(Decimal("0.01"))


def _today_for(user: User) -> date:
    return timezone.localtime(timezone.now(), user.zone).date()


def _check_day(user: User, day: date, field: str) -> None:
    if day > _today_for(user):
        raise ValidationError({field: _("That day is in the future: log what already happened.")})


def check_entry_day(*, user: User, group: Group, day: date, field: str) -> None:
    """The day of an action or measurement: not in the future, not before the group existed
    (in the person's own calendar), not more than a year back."""
    _check_day(user, day, field)
    started = timezone.localtime(group.created_at, user.zone).date()
    if day < started:
        raise ValidationError(
            {
                field: _("The day is before %(group)s started (%(date)s): pick a day since then.")
                % {"group": group.name, "date": date_format(started, "DATE_FORMAT")}
            }
        )
    if day < _today_for(user) - timedelta(days=ENTRY_HISTORY_DAYS):
        raise ValidationError(
            {field: _("The day is more than a year ago: log what happened within the last year.")}
        )


def check_value_sign(*, metric: MetricDefinition, value: Decimal, field: str) -> None:
    """A value below zero only for a metric that allows negative values."""
    if value < 0 and not metric.allow_negative:
        raise ValidationError(
            {field: _("%(metric)s cannot be negative: enter 0 or more.") % {"metric": metric.name}}
        )


def check_target(
    *, target: Decimal | None, target_date: date | None, allow_negative: bool, today: date | None
) -> dict[str, str]:
    """Field errors of a metric's target (`today`: check the date, for a new or changed target)."""
    errors = {}
    if target is not None and target < 0 and not allow_negative:
        errors["target"] = _(
            "The target cannot be negative: enter 0 or more, or allow negative values."
        )
    if target_date is not None and today is not None and target_date <= today:
        errors["target_date"] = _("The target date lies in the future: pick a day after today.")
    return errors


# Metric definitions -----------------------------------------------------------------------


def _strip_texts(fields: dict) -> None:
    # A stored " Trees " would slip past the case-insensitive duplicate check for "Trees".
    for key in ("name", "unit"):
        if isinstance(fields.get(key), str):
            fields[key] = fields[key].strip()


def _validate_metric(
    group: Group, fields: dict, *, exclude_pk=None, today: date | None = None
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
def metric_define(*, actor: User, group: Group, **fields) -> MetricDefinition:
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
def metric_update(*, actor: User, metric: MetricDefinition, **fields) -> MetricDefinition:
    """Change a metric's definition, recording what changed, who changed it and when."""
    metric = MetricDefinition.objects.select_for_update().get(pk=metric.pk)
    require(actor, metric.group, Need.MODERATE, message=METRICS_DENIED)
    before = _metric_snapshot(metric)
    old_target = (metric.target, metric.target_date)
    if fields.get("target") not in (None, ""):
        fields["target"] = parse_value(fields["target"], "target")
    for key in METRIC_FIELDS:
        if key in fields:
            setattr(metric, key, fields[key] if fields[key] != "" or key == "description" else None)
    metric.allow_negative = bool(metric.allow_negative)
    metric.name = (metric.name or "").strip()
    metric.unit = (metric.unit or "").strip()
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


# Actions and measurements -----------------------------------------------------------------


@dataclass(frozen=True)
class Impact:
    metric: MetricDefinition
    value: Decimal


def _group_metrics(group: Group) -> dict[int, MetricDefinition]:
    return {m.pk: m for m in MetricDefinition.objects.filter(group=group, archived_at__isnull=True)}


def _check_action_fields(user: User, description: str, happened_on: date, effort_minutes) -> int:
    errors = {}
    if not description.strip():
        errors["description"] = _("Say in a few words what you did.")
    elif len(description.strip()) > 200:
        errors["description"] = _("Keep it under 200 characters; add details in the notes.")
    try:
        effort = int(effort_minutes)
    except (TypeError, ValueError):
        effort = None
    if effort is None or not 1 <= effort <= MAX_EFFORT_MINUTES:
        errors["effort_minutes"] = _("Effort is between 1 minute and %(hours)d hours.") % {
            "hours": MAX_EFFORT_MINUTES // 60
        }
    if errors:
        raise ValidationError(errors)
    _check_day(user, happened_on, "happened_on")
    return effort


def action_log(
    *,
    user: User,
    group: Group,
    description: str,
    happened_on: date,
    effort_minutes: int,
    notes: str = "",
    impacts: list[tuple[int, object]] = (),
    initiative=None,
    seat: Membership | None = None,
) -> Action:
    """Log what a member did, and the impact it had, in one transaction (`seat`: see
    `is_member`)."""
    if not is_member(user, group, seat):
        raise PermissionDenied(_("Only members of the group can log actions in it."))
    if initiative is not None and (
        initiative.group_id != group.pk or initiative.status not in ("proposed", "active")
    ):
        raise ValidationError({"initiative": _("Choose one of the group's current initiatives.")})
    effort = _check_action_fields(user, description, happened_on, effort_minutes)
    cleaned = _clean_impacts(_group_metrics(group), impacts) if impacts else []
    if cleaned:
        # The impact is measured on the action's day: the measurements' rule for days applies.
        check_entry_day(user=user, group=group, day=happened_on, field="happened_on")
    # One row on its own needs no transaction of its own (autocommit); with impacts, the action
    # and its measurements are written together or not at all.
    with transaction.atomic() if cleaned else nullcontext():
        action = Action.objects.create(
            group=group,
            user=user,
            description=description.strip(),
            notes=notes.strip(),
            happened_on=happened_on,
            effort_minutes=effort,
            initiative=initiative,
        )
        Measurement.objects.bulk_create(
            [
                Measurement(
                    metric=impact.metric,
                    group=group,
                    user=user,
                    action=action,
                    value=impact.value,
                    measured_on=happened_on,
                )
                for impact in cleaned
            ]
        )
    return action


def measurement_log(
    *,
    user: User,
    group: Group,
    metric: MetricDefinition,
    value,
    measured_on: date,
    seat: Membership | None = None,
) -> Measurement:
    """Log a value of one metric on its own (for example a monthly count)."""
    if not is_member(user, group, seat):
        raise PermissionDenied(_("Only members of the group can log measurements in it."))
    if metric.group_id != group.pk or metric.archived_at is not None:
        raise ValidationError({"metric": _not_this_groups_metric()})
    clean = parse_value(value)
    check_value_sign(metric=metric, value=clean, field="value")
    check_entry_day(user=user, group=group, day=measured_on, field="measured_on")
    return Measurement.objects.create(
        metric=metric, group=group, user=user, value=clean, measured_on=measured_on
    )


def _require_editor(user: User, entry) -> None:
    if entry.user_id != user.pk:
        require(user, entry.group, Need.MODERATE, message=EDIT_DENIED)


def _snapshot(entry, fields: list[str]) -> dict:
    return {key: str(getattr(entry, key)) for key in fields}


ACTION_FIELDS = ["description", "notes", "happened_on", "effort_minutes"]


@transaction.atomic
def action_update(
    *, user: User, action: Action, impacts: list[tuple[int, object]] | None = None, **fields
) -> Action:
    """Edit an action (its author, or a moderator correcting it); the old version is kept."""
    action = Action.objects.select_for_update().select_related("group", "user").get(pk=action.pk)
    _require_editor(user, action)
    before = _snapshot(action, ACTION_FIELDS) | {"measurements": _measurements_of(action)}
    old_day = action.happened_on
    for key in ACTION_FIELDS:
        if key in fields:
            setattr(action, key, fields[key])
    action.description = action.description.strip()
    action.effort_minutes = _check_action_fields(
        action.user, action.description, action.happened_on, action.effort_minutes
    )
    cleaned = None
    if impacts is not None:
        metrics = _group_metrics(action.group)
        cleaned = _clean_impacts(metrics, impacts)
    measured = cleaned if cleaned is not None else before["measurements"]
    # An entry older than the allowed range may still be corrected as long as its day stays.
    if measured and action.happened_on != old_day:
        check_entry_day(
            user=action.user, group=action.group, day=action.happened_on, field="happened_on"
        )
    action.save()
    if cleaned is not None:
        # Only the active metrics are editable; values of archived ones stay as they were.
        action.measurements.filter(metric_id__in=metrics).delete()
        Measurement.objects.bulk_create(
            [
                Measurement(
                    metric=impact.metric,
                    group=action.group,
                    user=action.user,
                    action=action,
                    value=impact.value,
                    measured_on=action.happened_on,
                )
                for impact in cleaned
            ]
        )
    action.measurements.update(measured_on=action.happened_on)
    EntryRevision.objects.create(
        kind=EntryRevision.Kind.ACTION,
        entry_id=action.pk,
        group=action.group,
        editor=user,
        operation="update",
        before=before,
    )
    return action


def _measurements_of(action: Action) -> list[dict]:
    return [{"metric": m.metric_id, "value": str(m.value)} for m in action.measurements.all()]


def _not_this_groups_metric() -> ValidationError:
    # The code makes it a 404 in the API, like any other id that names nothing in this group.
    return ValidationError(_("That metric is not one of this group's metrics."), "does_not_exist")


def _clean_impacts(metrics: dict[int, MetricDefinition], impacts) -> list[Impact]:
    cleaned = []
    for metric_id, raw in impacts:
        try:
            metric = metrics.get(int(metric_id))
        except (TypeError, ValueError):
            metric = None
        if metric is None:
            raise ValidationError({"impacts": _not_this_groups_metric()})
        value = parse_value(raw, f"impact_{metric.pk}")
        check_value_sign(metric=metric, value=value, field=f"impact_{metric.pk}")
        cleaned.append(Impact(metric, value))
    return cleaned


@transaction.atomic
def action_delete(*, user: User, action: Action) -> EntryRevision:
    """Delete an action and the measurements it produced, keeping a record to restore them."""
    action = Action.objects.select_for_update().select_related("group").get(pk=action.pk)
    _require_editor(user, action)
    # What a restore needs beyond the edit history: whose it was, what it served, when logged.
    before = _snapshot(action, ACTION_FIELDS) | {
        "measurements": _measurements_of(action),
        "user": action.user_id,
        "initiative": action.initiative_id,
        "created_at": action.created_at.isoformat(),
    }
    revision = EntryRevision.objects.create(
        kind=EntryRevision.Kind.ACTION,
        entry_id=action.pk,
        group=action.group,
        editor=user,
        operation="delete",
        before=before,
    )
    action.delete()
    return revision


# A deleted action can be brought back, measurements and all, for this long.
ACTION_RESTORE_GRACE = timedelta(minutes=10)


def action_restorable(revision: EntryRevision, *, now=None) -> bool:
    """Whether a deleted action can still be restored from this record of its deletion."""
    now = now or timezone.now()
    return (
        revision.kind == EntryRevision.Kind.ACTION
        and revision.operation == "delete"
        and "user" in revision.before
        and now - revision.at <= ACTION_RESTORE_GRACE
    )


@transaction.atomic
def action_restore(*, user: User, revision: EntryRevision) -> Action:
    """Bring back a deleted action and its measurements, within the grace period."""
    # The lock on the record serializes two clicks on "Undo": the second sees the action back.
    revision = EntryRevision.objects.select_for_update().select_related("group").get(pk=revision.pk)
    before = revision.before
    if not action_restorable(revision):
        raise ValidationError(_("This deletion can no longer be undone."))
    _require_editor(user, Action(user_id=before["user"], group=revision.group))
    later = EntryRevision.objects.filter(
        kind=EntryRevision.Kind.ACTION, entry_id=revision.entry_id, pk__gt=revision.pk
    )
    if Action.objects.filter(pk=revision.entry_id).exists() or later.exists():
        raise Conflict(_("This action is already back."), code="already_restored")
    from narratives.models import Initiative

    initiative_id = before.get("initiative")
    if initiative_id and not Initiative.objects.filter(pk=initiative_id).exists():
        initiative_id = None
    # The same id as before: links to it (and its edit history) keep working.
    action = Action.objects.create(
        pk=revision.entry_id,
        group=revision.group,
        user_id=before["user"],
        description=before["description"],
        notes=before["notes"],
        happened_on=date.fromisoformat(before["happened_on"]),
        effort_minutes=int(before["effort_minutes"]),
        initiative_id=initiative_id,
        created_at=datetime.fromisoformat(before["created_at"]),
    )
    still_there = set(
        MetricDefinition.objects.filter(
            pk__in=[m["metric"] for m in before["measurements"]]
        ).values_list("pk", flat=True)
    )
    Measurement.objects.bulk_create(
        [
            Measurement(
                metric_id=m["metric"],
                group=revision.group,
                user_id=before["user"],
                action=action,
                value=Decimal(m["value"]),
                measured_on=action.happened_on,
            )
            for m in before["measurements"]
            if m["metric"] in still_there
        ]
    )
    return action


@transaction.atomic
def measurement_delete(*, user: User, measurement: Measurement) -> None:
    measurement = (
        Measurement.objects.select_for_update().select_related("group").get(pk=measurement.pk)
    )
    _require_editor(user, measurement)
    EntryRevision.objects.create(
        kind=EntryRevision.Kind.MEASUREMENT,
        entry_id=measurement.pk,
        group=measurement.group,
        editor=user,
        operation="delete",
        before={
            "metric": measurement.metric_id,
            "value": str(measurement.value),
            "measured_on": str(measurement.measured_on),
        },
    )
    measurement.delete()


# Network metrics and the leaderboard ------------------------------------------------------


@transaction.atomic
def network_metric_define(*, actor: User, network, **fields) -> MetricDefinition:
    """A metric every group of the network can adopt, so groups compare like with like."""
    require_organizer(
        actor, network, message=_("Only the network's organizers can define shared metrics.")
    )
    values = {
        "direction": fields.get("direction") or MetricDefinition.Direction.HIGHER,
        "aggregation": fields.get("aggregation") or MetricDefinition.Aggregation.SUM,
        "name": (fields.get("name") or "").strip(),
        "unit": (fields.get("unit") or "").strip(),
        "description": fields.get("description") or "",
        "allow_negative": bool(fields.get("allow_negative")),
    }
    errors = {}
    if not values["name"]:
        errors["name"] = _("Give the metric a name.")
    elif MetricDefinition.objects.filter(
        network=network, name__iexact=values["name"], archived_at__isnull=True
    ).exists():
        errors["name"] = _("The network already shares a metric with that name.")
    if not values["unit"]:
        errors["unit"] = _("Say what you count, for example trees or kWh.")
    if errors:
        raise ValidationError(errors)
    metric = MetricDefinition.objects.create(network=network, **values)
    MetricChange.objects.create(
        metric=metric, changed_by=actor, changes={"created": _metric_snapshot(metric)}
    )
    return metric


@transaction.atomic
def metric_adopt(
    *, actor: User, group: Group, network_metric: MetricDefinition
) -> MetricDefinition:
    """A group takes on one of its network's shared metrics (idempotent)."""
    require(actor, group, Need.MODERATE, message=METRICS_DENIED)
    if network_metric.network_id != group.network_id or network_metric.archived_at is not None:
        raise ValidationError({"metric": _("That is not a shared metric of this group's network.")})
    existing = MetricDefinition.objects.filter(
        group=group, source=network_metric, archived_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    return metric_define(
        actor=actor,
        group=group,
        source=network_metric,
        **{key: getattr(network_metric, key) for key in METRIC_FIELDS},
    )


def group_ranking_set(*, actor: User, group: Group, ranked: bool) -> None:
    """Take the group off the network leaderboard, or back on (moderators)."""
    require(actor, group, Need.MODERATE)
    from metrics.models import GroupRanking

    GroupRanking.objects.update_or_create(group=group, defaults={"ranked": ranked})
