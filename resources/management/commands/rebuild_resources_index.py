"""`manage.py rebuild_resources_index`: rebuild the map's index (MapItem) from the source tables."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from resources import index


class Command(BaseCommand):
    help = "Rebuild the resources map index."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{index.rebuild()} map items")
