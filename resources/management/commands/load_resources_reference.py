"""`manage.py load_resources_reference`: the seed's funding sources and the starting set of Timișoara
institutions (data/resources/), idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from resources import reference


class Command(BaseCommand):
    help = "Load the resources room's reference data from data/resources/."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{reference.load_funding()} funding programmes, "
                          f"{reference.load_institutions()} institutions")
