"""`manage.py participation_daily`: tomorrow's event reminders.

Schedule it once a day (cron or a systemd timer), e.g. at 07:00 Europe/Bucharest. Safe to run more
often: nothing is sent twice. The daily e-mail digests are the notifications room's (its worker job
sends each person's digest at NOTIFICATIONS_DIGEST_HOUR).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Send the reminders of events starting within 24 hours."

    def handle(self, *args: Any, **options: Any) -> None:
        from participation.services import send_event_reminders

        reminders = send_event_reminders()
        self.stdout.write(f"Event reminders: {reminders}")
