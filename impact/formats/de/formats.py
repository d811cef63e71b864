"""How dates, times and numbers read in German (see impact/formats/en/formats.py for the names)."""

# 3. Dezember 2026
DATE_FORMAT = "j. F Y"
# 03.12.2026
SHORT_DATE_FORMAT = "d.m.Y"
# 14:30
TIME_FORMAT = "H:i"
# 3. Dezember 2026, 14:30
DATETIME_FORMAT = "j. F Y, H:i"
# 03.12.2026, 14:30
SHORT_DATETIME_FORMAT = "d.m.Y, H:i"
# 3. Dezember
MONTH_DAY_FORMAT = "j. F"
# Dezember 2026
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
# 2,5 and 1.250
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

# Ours (impact.dates):
# Donnerstag, 3. Dezember
DAY_DATE_FORMAT = "l, j. F"
# Donnerstag, 3. Dezember, 14:30
DAY_DATETIME_FORMAT = "l, j. F, H:i"
# 3. Dez
SHORT_MONTH_DAY_FORMAT = "j. M"
# Freitag, 3. Dezember 2027: a day in another year than the reader's
DAY_DATE_YEAR_FORMAT = "l, j. F Y"
# Freitag, 3. Dezember 2027, 14:30
DAY_DATETIME_YEAR_FORMAT = "l, j. F Y, H:i"
