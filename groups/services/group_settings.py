"""A group's own settings: its name, purpose, capacity and join policy."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from groups.audit import audit
from groups.models import Group
from groups.permissions import Need, require
from groups.services.membership import _fill_free_seats, _lock
from groups.services.networks import _validate_group_fields, duplicate_name_error
from impact.models import User

# What the audit log records of a changed field: old and new for short values; long text is
# only said to have changed (the log is a list of who did what, not a history of the text).
_SHORT_FIELDS = ("name", "capacity", "join_policy")


def group_update(
    *,
    actor: User,
    group: Group,
    name: str | None = None,
    purpose: str | None = None,
    capacity: int | None = None,
    join_policy: str | None = None,
) -> Group:
    """Change a group's settings (moderators and organizers); fields left as None stay. A
    capacity never drops below the members the group has; seats it frees go to the waitlist."""
    with transaction.atomic():
        # Under the same row lock as joins: the member count the capacity is checked against
        # cannot grow before the new capacity is saved.
        group, size = _lock(group)
        require(actor, group, Need.MODERATE)
        wanted = {
            "name": group.name if name is None else name.strip(),
            "purpose": group.purpose if purpose is None else purpose.strip(),
            "capacity": group.capacity if capacity is None else capacity,
            "join_policy": group.join_policy if join_policy is None else join_policy,
        }
        _validate(group, wanted, size)
        changed = {
            field: value for field, value in wanted.items() if getattr(group, field) != value
        }
        if not changed:
            return group
        details = {
            field: f"{getattr(group, field)} → {value}" if field in _SHORT_FIELDS else _("changed")
            for field, value in changed.items()
        }
        for field, value in changed.items():
            setattr(group, field, value)
        try:
            with transaction.atomic():
                group.save(update_fields=list(changed))
        except IntegrityError as exc:
            # Another group of the network took the name since the check above.
            raise ValidationError({"name": duplicate_name_error()}) from exc
        audit(group=group, verb="group.changed", actor=actor, target=group.name, **details)
        if {"capacity", "join_policy"} & changed.keys():
            _fill_free_seats(group)
        return group


def _validate(group: Group, wanted: dict, size: int) -> None:
    errors: dict[str, list[ValidationError]] = {}
    try:
        _validate_group_fields(
            network=group.network,
            name=wanted["name"],
            purpose=wanted["purpose"],
            capacity=wanted["capacity"],
            exclude=group.pk,
        )
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if "capacity" not in errors and wanted["capacity"] < size:
        errors["capacity"] = [
            ValidationError(
                _(
                    "The group has %(n)d members: its capacity cannot be lower. "
                    "Spin out a group or wait for someone to leave first."
                )
                % {"n": size},
                code="below_members",
            )
        ]
    if wanted["join_policy"] not in Group.JoinPolicy.values:
        errors["join_policy"] = [ValidationError(_("Choose who can join from the list."))]
    if errors:
        raise ValidationError(errors)
