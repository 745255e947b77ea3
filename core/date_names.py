"""Month and weekday names as Romanian writes them: in lower case ("26 decembrie 2026").

Django's own Romanian capitalises them ("26 Decembrie 2026"). These entries are translated again
in core/locale/ro (an app's catalogue overrides Django's); listing them here keeps them there when
makemessages runs. Never called.
"""

from django.utils.translation import gettext_noop, pgettext_lazy

MONTHS = [gettext_noop("January"), gettext_noop("February"), gettext_noop("March"), gettext_noop("April"),
          gettext_noop("May"), gettext_noop("June"), gettext_noop("July"), gettext_noop("August"),
          gettext_noop("September"), gettext_noop("October"), gettext_noop("November"), gettext_noop("December")]
# The "E" date format (month names in a phrase).
MONTHS_ALT = [pgettext_lazy("alt. month", "January"), pgettext_lazy("alt. month", "February"),
              pgettext_lazy("alt. month", "March"), pgettext_lazy("alt. month", "April"),
              pgettext_lazy("alt. month", "May"), pgettext_lazy("alt. month", "June"),
              pgettext_lazy("alt. month", "July"), pgettext_lazy("alt. month", "August"),
              pgettext_lazy("alt. month", "September"), pgettext_lazy("alt. month", "October"),
              pgettext_lazy("alt. month", "November"), pgettext_lazy("alt. month", "December")]
WEEKDAYS = [gettext_noop("Monday"), gettext_noop("Tuesday"), gettext_noop("Wednesday"), gettext_noop("Thursday"),
            gettext_noop("Friday"), gettext_noop("Saturday"), gettext_noop("Sunday")]
