"""Words the apps share, with their plurals done by the catalogue rather than by hand."""

from django.template.defaultfilters import floatformat
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
