"""Month names as Morocco writes them in Arabic (يناير، فبراير، مارس، أبريل، ماي، يونيو،
يوليوز، غشت، شتنبر، أكتوبر، نونبر، دجنبر), where Django's own Arabic catalogue has the
Levantine and Egyptian ones (ديسمبر…). Django's date formats ("F") translate these very
msgids (django.utils.dates.MONTHS); they are listed here so that makemessages keeps them in
locale/, whose translations come before Django's (LOCALE_PATHS)."""

from django.utils.translation import gettext_noop

MONTHS = [
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
]
