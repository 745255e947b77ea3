"""`manage.py open311_key NAME`: create an Open311 API key; the key itself is printed on the last line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reports.services import create_open311_key


class Command(BaseCommand):
    help = "Create an Open311 API key for a client (app or system). The key is shown once, on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="who the key is for, e.g. 'Timișoara app (iOS)'")
        parser.add_argument("--contact", default="", help="internal contact for the client")
        parser.add_argument("--per-hour", type=int, default=300, help="POST requests allowed per hour")

    def handle(self, *args: Any, **options: Any) -> None:
        record, key = create_open311_key("manage.py open311_key", options["name"], contact=options["contact"],
                                         requests_per_hour=options["per_hour"])
        self.stdout.write(f"Created Open311 key #{record.pk} for {record.name!r}; store it now, it is not kept:")
        self.stdout.write(key)
