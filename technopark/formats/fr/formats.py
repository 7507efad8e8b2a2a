"""French as written in Morocco (and France): "10 décembre 2026 à 10:30", "03/01/2027",
"1 234 567,89" with no-break spaces. What is not here (input formats) is Django's French."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"j F Y \à H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # no-break space
NUMBER_GROUPING = 3

# Named by core.formatting (not Django settings).
WEEKDAY_DATE_FORMAT = "l j F Y"
WEEKDAY_DAY_FORMAT = "l j F"
WEEKDAY_DATETIME_FORMAT = r"l j F Y \à H:i"
