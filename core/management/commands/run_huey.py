"""Start a Huey worker for the django-tasks queue: `manage.py run_huey [-w WORKERS]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from huey.consumer import Consumer

from core.huey_app import get_huey, huey_task


class Command(BaseCommand):
    help = "Run the background-job worker (Huey)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("-w", "--workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        huey_task()  # register the task runner before consuming
        consumer = Consumer(get_huey(), workers=options["workers"], worker_type="thread")
        consumer.run()
