"""Words the apps share, with their plurals done by the catalogue rather than by hand."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def effort_text(minutes: int | None) -> str:
    """Minutes of effort in words: "45 minutes", "1 hour", "1.5 hours"."""
    minutes = int(minutes or 0)
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    # More than an hour and not a whole number of them: always the plural ("1.5 hours").
    return _("%(n)s hours") % {"n": floatformat(minutes / 60, -1)}


def amount_text(value) -> str:
    """A measured amount as people write it, in the active language: up to two decimals and
    no trailing zeros ("2,5" in German, "2.5" in English, "12"), as the forms show it too."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    places = max(0, -number.normalize().as_tuple().exponent)
    return formats.number_format(number, decimal_pos=places, use_l10n=True)
