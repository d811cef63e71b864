"""What a typed value, an entry's day and a metric's target may be: the checks every write shares."""

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format, get_format, number_format
from django.utils.translation import gettext as _

from groups.models import Group
from impact.models import User
from metrics.models import (
    MetricDefinition,
)

MAX_ABS_VALUE = Decimal("1e11")


# How far back an action or a measurement may be dated: older entries are not a week the group
# can still reflect on, and a typo such as 1900 would pull its trends and progress apart.
ENTRY_HISTORY_DAYS = 365


# Spaces people put between thousands (1 250, or a no-break space pasted from elsewhere).
_GROUPING_SPACES = str.maketrans("", "", " \u00a0\u202f")


def _as_plain_number(typed: str, field: str) -> str:
    """Typed text as digits with a point. Either mark works as the decimal mark (2,5 and 2.5
    in every language); the active language's thousands separator works where it can only be
    one (1.250,5 or 1.250.000 in German, 1,250.5 in English). A single group of three and
    nothing else (1.250 in German, 1,250 in English) could be either, so it is refused, not
    guessed: read as 1,25 it would quietly store a thousandth of what was meant."""
    text = typed.strip().translate(_GROUPING_SPACES)
    separator = get_format("THOUSAND_SEPARATOR")
    if separator not in (",", "."):
        return text.replace(",", ".")
    mark = "," if separator == "." else "."
    grouped = re.fullmatch(
        rf"([+-]?)([1-9][0-9]{{0,2}}(?:{re.escape(separator)}[0-9]{{3}})+)"
        rf"(?:{re.escape(mark)}([0-9]+))?",
        text,
    )
    if grouped is None:
        return text.replace(",", ".")
    sign, whole, fraction = grouped.groups()
    if whole.count(separator) == 1 and fraction is None:
        raise ValidationError(
            {
                field: _(
                    "Did you mean %(whole)s or %(fraction)s? Type the number without a "
                    "thousands separator."
                )
                % {
                    "whole": sign + whole.replace(separator, ""),
                    "fraction": number_format(
                        Decimal(sign + whole.replace(separator, ".")).normalize()
                    ),
                }
            }
        )
    return sign + whole.replace(separator, "") + (f".{fraction}" if fraction else "")


def parse_value(raw: object, field: str = "value") -> Decimal:
    """A measured value: a number as it is, or text as typed (the rule of _as_plain_number);
    a ValidationError otherwise. The one rule of the pages and the services; the API checks
    its machine form ("2.5") before it gets here."""
    text = _as_plain_number(raw, field) if isinstance(raw, str) else str(raw)
    try:
        value = Decimal(text)
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
