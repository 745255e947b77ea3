"""`manage.py budgeting_close_due`: close the vote of editions whose closing time has passed.

Run it every few minutes (cron or a systemd timer). Ballots cast after the closing time are refused
anyway; closing also destroys the links that let voters change their ballots.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from budgeting.services import close_due_editions


class Command(BaseCommand):
    help = "Close the vote of every edition whose announced closing time has passed."

    def handle(self, *args: Any, **options: Any) -> None:
        closed = close_due_editions()
        self.stdout.write(f"Closed: {', '.join(closed) if closed else 'none'}")
