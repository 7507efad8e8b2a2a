"""English: Django's own formats with 24-hour times, as Morocco's pages write them in every
language, plus the ones core.formatting names itself."""

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"

# Named by core.formatting (not Django settings).
WEEKDAY_DATE_FORMAT = "l, F j, Y"
WEEKDAY_DAY_FORMAT = "l, F j"
WEEKDAY_DATETIME_FORMAT = "l, F j, Y, H:i"
