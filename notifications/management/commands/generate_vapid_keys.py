"""Print a new VAPID key pair for Web Push, as environment lines (docs/notifications.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from notifications.vapid import generate


class Command(BaseCommand):
    help = "Print a new VAPID key pair (VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY) for Web Push."

    def handle(self, *args: Any, **options: Any) -> None:
        pair = generate()
        self.stdout.write(f"VAPID_PUBLIC_KEY={pair.public_key}\nVAPID_PRIVATE_KEY={pair.private_key}\n")
