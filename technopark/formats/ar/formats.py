"""Arabic as written in Morocco: Western digits (Django prints digits as they are), Arabic
month names (Django's translations of "F"/"N"), day before month before year, 24-hour time,
the Arabic comma before the time. Input formats: day first (Django appends the ISO ones,
which <input type="date"> sends)."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y، H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # '25/10/2006'
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
]
TIME_INPUT_FORMATS = [
    "%H:%M",
    "%H:%M:%S",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # no-break space, as in French
NUMBER_GROUPING = 3

# Named by core.formatting (not Django settings).
WEEKDAY_DATE_FORMAT = "l j F Y"
WEEKDAY_DAY_FORMAT = "l j F"
WEEKDAY_DATETIME_FORMAT = "l j F Y، H:i"
