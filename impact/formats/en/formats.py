"""How dates and times read in English: day before month, month as a word, 24-hour clock.

Django's own names (DATE_FORMAT and the rest) are used by its `date` filter, forms and admin.
The names below them are ours, read through impact.dates (the `when` template filter and
format_when), which falls back to one of Django's names for a language that lacks them.
"""

# 3 December 2026
DATE_FORMAT = "j F Y"
# 3 Dec 2026
SHORT_DATE_FORMAT = "j M Y"
# 14:30
TIME_FORMAT = "H:i"
# 3 December 2026, 14:30
DATETIME_FORMAT = "j F Y, H:i"
# 3 Dec 2026, 14:30
SHORT_DATETIME_FORMAT = "j M Y, H:i"
# 3 December
MONTH_DAY_FORMAT = "j F"
# December 2026
YEAR_MONTH_FORMAT = "F Y"
# Weeks start on Monday, as the weekly reflections and the digest do.
FIRST_DAY_OF_WEEK = 1

# Ours (impact.dates.STYLES):
# Thursday 3 December: a day close by, such as a meeting's.
DAY_DATE_FORMAT = "l j F"
# Thursday 3 December, 14:30
DAY_DATETIME_FORMAT = "l j F, H:i"
# 3 Dec: a compact label in charts and lists that span a few weeks.
SHORT_MONTH_DAY_FORMAT = "j M"
# Friday 3 December 2027: the same, for a day in another year than the reader's.
DAY_DATE_YEAR_FORMAT = "l j F Y"
# Friday 3 December 2027, 14:30
DAY_DATETIME_YEAR_FORMAT = "l j F Y, H:i"
