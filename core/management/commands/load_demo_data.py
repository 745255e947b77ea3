"""`manage.py load_demo_data`: load each room's Timișoara reference data (idempotent).

A room contributes by defining `load_demo_data(stdout)` in `<room>/demo.py`; `make serve` runs this
after `load_strategy`, so a fresh install shows every room with real data.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from core.demo_rooms import demo_modules


class Command(BaseCommand):
    help = "Load every room's reference data for Timișoara (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        from core.geo import load_neighbourhoods

        neighbourhoods = settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson"
        self.stdout.write(f"Neighbourhoods: {load_neighbourhoods(neighbourhoods)}")
        for module in demo_modules():
            module.load_demo_data(self.stdout)
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
