"""`manage.py participation_daily`: the daily email digests and tomorrow's event reminders.

Schedule it once a day (cron or a systemd timer), e.g. at 07:00 Europe/Bucharest. Safe to run more
often: nothing is sent twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Send the daily notification digests and the reminders of events starting within 24 hours."

    def handle(self, *args: Any, **options: Any) -> None:
        from participation.notifications import deliver_daily_digests
        from participation.services import send_event_reminders

        reminders = send_event_reminders()
        digests = deliver_daily_digests()
        self.stdout.write(f"Event reminders: {reminders}; daily digests sent: {digests}")
