"""Dates and times as people read them: one style, from the active language's format module.

Pages use the `when` filter (impact_tags), texts written in Python (emails, notifications,
messages) use format_when; both take the name of a format, never a format string, so the
style lives in one place (impact/formats/<language>/formats.py) and each language has its own.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format, get_format

# Our own format names, each with the Django name a language without it falls back to
# (django.utils.formats.get_format returns an unknown name unchanged, which `date` would then
# read as a format string).
OWN_FORMATS = {
    "DAY_DATE_FORMAT": "DATE_FORMAT",
    "DAY_DATETIME_FORMAT": "DATETIME_FORMAT",
    "SHORT_MONTH_DAY_FORMAT": "MONTH_DAY_FORMAT",
    "DAY_DATE_YEAR_FORMAT": "DATE_FORMAT",
    "DAY_DATETIME_YEAR_FORMAT": "DATETIME_FORMAT",
}
# A day with its weekday reads without the year in the reader's current year ("Wednesday
# 2 December, 13:00"); a day of another year names it ("Friday 1 January 2027, 13:00").
WITH_YEAR = {
    "DAY_DATE_FORMAT": "DAY_DATE_YEAR_FORMAT",
    "DAY_DATETIME_FORMAT": "DAY_DATETIME_YEAR_FORMAT",
}
DJANGO_FORMATS = {
    "DATE_FORMAT",
    "SHORT_DATE_FORMAT",
    "TIME_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
}


def format_for(name: str) -> str:
    """The active language's format string for a format name (ours or Django's)."""
    if name in DJANGO_FORMATS:
        return get_format(name)
    if name not in OWN_FORMATS:
        raise ValueError(f"{name!r} is not a format name; add it to impact/formats/ first.")
    found = get_format(name)
    return get_format(OWN_FORMATS[name]) if found == name else found


def format_when(
    value: date | datetime | None, name: str = "DATE_FORMAT", *, zone: ZoneInfo | None = None
) -> str:
    """A date or moment in the house style; an aware moment is shown in `zone` (by default the
    active time zone: the reader's on a page)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value, zone)
    if name in WITH_YEAR and value.year != timezone.localdate(timezone=zone).year:
        name = WITH_YEAR[name]
    return date_format(value, format_for(name))
