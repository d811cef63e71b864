"""Words the apps share, with their plurals done by the catalogue rather than by hand."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.formats import sanitize_separators
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


def _shown_amount(value) -> Decimal | None:
    """An amount rounded as amount_text shows it (two decimals), or None if it is no number."""
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return None


def amount_text(value) -> str:
    """A measured amount as people write it, in the active language: up to two decimals and
    no trailing zeros ("2,5" in German, "2.5" in English, "12"), as the forms show it too."""
    if value is None or value == "":
        return ""
    number = _shown_amount(value)
    if number is None:
        return str(value)
    places = max(0, -number.normalize().as_tuple().exponent)
    return formats.number_format(number, decimal_pos=places, use_l10n=True)


def amount_reads_as_one(value) -> bool:
    """Whether an amount reads as one as amount_text shows it: 1, 1.0, 1.004, -1, and text
    typed in the active language ("1,0" in German). 0 and 1.5 take the plural, as in English,
    German and Spanish; a minus sign does not change the word ("-1 tree", as CLDR counts)."""
    if isinstance(value, str):
        value = sanitize_separators(value.strip())
    if value is None or value == "" or isinstance(value, bool):
        return False
    number = _shown_amount(value)
    return number is not None and abs(number) == 1


def unit_for_amount(value, metric) -> str:
    """The word to write after an amount of a metric: its unit for one when the amount reads
    as one and the metric has one ("1 tree"), else its unit ("2 trees", "1 kg")."""
    singular = getattr(metric, "unit_singular", "")
    if singular and amount_reads_as_one(value):
        return singular
    return metric.unit


def amount_with_unit_text(value, metric) -> str:
    """An amount and the unit that goes with it: "1 tree", "2,5 trees", "12 kg"."""
    return f"{amount_text(value)} {unit_for_amount(value, metric)}".strip()
