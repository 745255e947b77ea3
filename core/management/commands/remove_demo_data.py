"""`manage.py remove_demo_data`: delete everything `load_demo_data` marked as demonstration data.

A room contributes by defining `remove_demo_data(stdout)` in `<room>/demo.py`. Rooms are emptied in
the reverse order of loading, all in one transaction (nothing half-removed), each removal audited.
The strategy, the neighbourhoods and each room's reference data (categories, departments, the
co-design history, the action groups) stay.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from core import audit
from core.demo_rooms import demo_modules

ACTOR = "command:remove_demo_data"


class Command(BaseCommand):
    help = "Delete all demonstration data (each room's demo rows); the strategy and reference data stay."

    def handle(self, *args: Any, **options: Any) -> None:
        rooms = []
        with transaction.atomic():
            for module in reversed(demo_modules()):
                remove = getattr(module, "remove_demo_data", None)
                if remove is not None:
                    remove(self.stdout)
                    rooms.append(module.__name__.removesuffix(".demo"))
            audit.record(ACTOR, "core.demo_data.removed", None, {"rooms": rooms})
        self.stdout.write(self.style.SUCCESS("Demonstration data removed."))
