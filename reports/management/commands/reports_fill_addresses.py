"""`manage.py reports_fill_addresses [--all]`: give reports their nearest address from the street
index (those without one; --all recomputes every report, e.g. after `build_street_index`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from reports import services


class Command(BaseCommand):
    help = "Reverse geocode reports to their nearest address (street index)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="recompute every report, not only those without one")

    def handle(self, *args: Any, **options: Any) -> None:
        changed = services.fill_nearest_addresses("command:reports_fill_addresses", everything=options["all"])
        self.stdout.write(f"{changed} reports given their nearest address.")
