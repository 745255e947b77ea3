"""`manage.py remove_demo_data`: delete everything `load_demo_data` marked as demonstration data.

A room contributes by defining `remove_demo_data(stdout)` in `<room>/demo.py`. Rooms are emptied in
the reverse order of loading, all in one transaction (nothing half-removed), each removal audited.
The strategy, the neighbourhoods and each room's reference data (categories, departments, the
co-design history, the action groups) stay.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from core import audit

ACTOR = "command:remove_demo_data"


class Command(BaseCommand):
    help = "Delete all demonstration data (each room's demo rows); the strategy and reference data stay."

    def handle(self, *args: Any, **options: Any) -> None:
        rooms = []
        with transaction.atomic():
            for room in reversed(settings.OPTIONAL_ROOMS):
                if room not in settings.INSTALLED_APPS:
                    continue
                try:
                    module = importlib.import_module(f"{room}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{room}.demo":
                        raise
                    continue
                remove = getattr(module, "remove_demo_data", None)
                if remove is not None:
                    remove(self.stdout)
                    rooms.append(room)
            audit.record(ACTOR, "core.demo_data.removed", None, {"rooms": rooms})
        self.stdout.write(self.style.SUCCESS("Demonstration data removed."))
