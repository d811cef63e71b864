"""How dates, times and numbers read in Spanish (see impact/formats/en/formats.py for the names)."""

# 3 de diciembre de 2026
DATE_FORMAT = r"j \d\e F \d\e Y"
# 03/12/2026
SHORT_DATE_FORMAT = "d/m/Y"
# 14:30
TIME_FORMAT = "H:i"
# 3 de diciembre de 2026, 14:30
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
# 03/12/2026, 14:30
SHORT_DATETIME_FORMAT = "d/m/Y, H:i"
# 3 de diciembre
MONTH_DAY_FORMAT = r"j \d\e F"
# diciembre de 2026
YEAR_MONTH_FORMAT = r"F \d\e Y"
FIRST_DAY_OF_WEEK = 1
# 2,5 and 1.250
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

# Ours (impact.dates):
# jueves 3 de diciembre
DAY_DATE_FORMAT = r"l j \d\e F"
# jueves 3 de diciembre, 14:30
DAY_DATETIME_FORMAT = r"l j \d\e F, H:i"
# 3 dic (lower case, as Spanish writes months)
SHORT_MONTH_DAY_FORMAT = "j b"
# viernes 3 de diciembre de 2027: a day in another year than the reader's
DAY_DATE_YEAR_FORMAT = r"l j \d\e F \d\e Y"
# viernes 3 de diciembre de 2027, 14:30
DAY_DATETIME_YEAR_FORMAT = r"l j \d\e F \d\e Y, H:i"
