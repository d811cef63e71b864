"""Actions and measurements: logging them, correcting, deleting and restoring them."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Group, Membership
from groups.permissions import Need, is_member, require
from impact.exceptions import Conflict
from impact.models import User
from metrics.models import (
    MAX_EFFORT_MINUTES,
    Action,
    EntryRevision,
    Measurement,
    MetricDefinition,
)
from metrics.services.values import _check_day, check_entry_day, check_value_sign, parse_value

if TYPE_CHECKING:
    # For the annotation only: metrics reaches an action's initiative through its relation.
    from narratives.models import Initiative

EDIT_DENIED = _("You can change your own entries; moderators can correct any.")


@dataclass(frozen=True)
class Impact:
    metric: MetricDefinition
    value: Decimal


# An idempotency key: what a client (a phone's offline queue, an API client) sends with a
# create so that sending it again, after a lost answer, never makes a second row.
CLIENT_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _check_client_key(key: str | None) -> None:
    if key is not None and not CLIENT_KEY.fullmatch(key):
        raise ValidationError(
            {"idempotency_key": _("Use 8 to 64 letters, digits, dashes or underscores.")}
        )


def _sent_before(model: type[Action] | type[Measurement], user: User, key: str | None, **same):
    """The row an earlier send with this key made (flagged `replayed`), or None. The same key
    with other contents is a client's mistake, refused rather than answered with the old row."""
    if key is None:
        return None
    earlier = model.objects.filter(user=user, client_key=key).first()
    if earlier is None:
        return None
    if any(getattr(earlier, name) != value for name, value in same.items()):
        raise Conflict(
            _("This idempotency key was already used for a different entry."),
            code="idempotency_key_reused",
        )
    earlier.replayed = True
    return earlier


def _once(create: Callable[[], Action | Measurement], replay: Callable[[], object], key):
    """Create in a transaction of its own; when a send with the same key won the race, the
    unique constraint refuses this one and the winner's row is the answer."""
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        earlier = replay() if key is not None else None
        if earlier is None:
            raise
        return earlier


def _group_metrics(group: Group) -> dict[int, MetricDefinition]:
    return {m.pk: m for m in MetricDefinition.objects.filter(group=group, archived_at__isnull=True)}


def _check_action_fields(
    user: User, description: str, happened_on: date, effort_minutes: int | str | None
) -> int:
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
    initiative: "Initiative | None" = None,
    seat: Membership | None = None,
    client_key: str | None = None,
) -> Action:
    """Log what a member did, and the impact it had, in one transaction (`seat`: see
    `is_member`). With `client_key`, a repeated send returns the first send's action."""
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
    _check_client_key(client_key)
    same = {"group_id": group.pk, "description": description.strip(), "happened_on": happened_on}

    def replay() -> Action | None:
        return _sent_before(Action, user, client_key, **same)

    if (earlier := replay()) is not None:
        return earlier

    def create() -> Action:
        # The action and its measurements are written together or not at all.
        action = Action.objects.create(
            group=group,
            user=user,
            description=description.strip(),
            notes=notes.strip(),
            happened_on=happened_on,
            effort_minutes=effort,
            initiative=initiative,
            client_key=client_key or "",
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

    if not cleaned and client_key is None:
        return create()  # one row on its own needs no transaction of its own (autocommit)
    return _once(create, replay, client_key)


def measurement_log(
    *,
    user: User,
    group: Group,
    metric: MetricDefinition,
    value: str | int | Decimal,
    measured_on: date,
    seat: Membership | None = None,
    client_key: str | None = None,
) -> Measurement:
    """Log a value of one metric on its own (for example a monthly count). With `client_key`,
    a repeated send returns the first send's measurement."""
    if not is_member(user, group, seat):
        raise PermissionDenied(_("Only members of the group can log measurements in it."))
    if metric.group_id != group.pk or metric.archived_at is not None:
        raise ValidationError({"metric": _not_this_groups_metric()})
    clean = parse_value(value)
    check_value_sign(metric=metric, value=clean, field="value")
    check_entry_day(user=user, group=group, day=measured_on, field="measured_on")
    _check_client_key(client_key)
    same = {"metric_id": metric.pk, "value": clean, "measured_on": measured_on}

    def replay() -> Measurement | None:
        return _sent_before(Measurement, user, client_key, **same)

    if (earlier := replay()) is not None:
        return earlier

    def create() -> Measurement:
        return Measurement.objects.create(
            metric=metric,
            group=group,
            user=user,
            value=clean,
            measured_on=measured_on,
            client_key=client_key or "",
        )

    return create() if client_key is None else _once(create, replay, client_key)


def _require_editor(user: User, entry: Action | Measurement) -> None:
    if entry.user_id != user.pk:
        require(user, entry.group, Need.MODERATE, message=EDIT_DENIED)


def _snapshot(entry: Action | Measurement, fields: list[str]) -> dict:
    return {key: str(getattr(entry, key)) for key in fields}


ACTION_FIELDS = ["description", "notes", "happened_on", "effort_minutes"]


@transaction.atomic
def action_update(
    *,
    user: User,
    action: Action,
    impacts: list[tuple[int, object]] | None = None,
    **fields: str | int | date,
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


def _clean_impacts(
    metrics: dict[int, MetricDefinition], impacts: Iterable[tuple[int, object]]
) -> list[Impact]:
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


def action_restorable(revision: EntryRevision, *, now: datetime | None = None) -> bool:
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
    initiative_id = before.get("initiative")
    if initiative_id and not Action.initiatives().filter(pk=initiative_id).exists():
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
